/**
 * How the Functions Service Bus extension (5.x) resolves a trigger's `connection` property
 * (learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus#connections and
 * functions-reference#configure-an-identity-based-connection): the name of a setting holding a
 * connection string, or the shared prefix of settings that define an identity-based connection
 * (`<CONNECTION>__fullyQualifiedNamespace`). An exact match wins over a prefix match, and a name is
 * also looked up with the `AzureWebJobs` prefix.
 */
export type ServiceBusConnection =
  | { kind: 'connectionString'; setting: string; connectionString: string }
  | { kind: 'identity'; setting: string; fullyQualifiedNamespace: string; clientId?: string };

type Env = Record<string, string | undefined>;

export function resolveServiceBusConnection(
  functionName: string,
  connection: string | undefined,
  env: Env = process.env,
): ServiceBusConnection {
  const name = connection || 'ServiceBus';
  for (const candidate of [name, `AzureWebJobs${name}`]) {
    const exact = env[candidate]?.trim();
    if (exact) return { kind: 'connectionString', setting: candidate, connectionString: exact };
    const namespace = readSection(env, candidate, 'fullyQualifiedNamespace');
    if (namespace) {
      const clientId = readSection(env, candidate, 'clientId');
      return {
        kind: 'identity',
        setting: `${candidate}__fullyQualifiedNamespace`,
        fullyQualifiedNamespace: namespace,
        ...(clientId ? { clientId } : {}),
      };
    }
  }
  throw new Error(
    `Service Bus trigger ${functionName}: connection "${name}" is not configured. Set ${name}__fullyQualifiedNamespace to the namespace host (identity-based, e.g. myns.servicebus.windows.net) or, for a local emulator only, ${name} to its connection string.`,
  );
}

/** `<prefix>__<key>` (or `<prefix>:<key>`, the configuration form) — setting names are case-insensitive. */
function readSection(env: Env, prefix: string, key: string): string | undefined {
  const wanted = [`${prefix}__${key}`, `${prefix}:${key}`].map((n) => n.toLowerCase());
  const found = Object.entries(env).find(([n, v]) => wanted.includes(n.toLowerCase()) && v?.trim());
  return found?.[1]?.trim();
}
