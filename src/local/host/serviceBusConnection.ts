/**
 * How the Functions Service Bus extension (5.x) resolves a trigger's `connection` property
 * (learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus#connections and
 * functions-reference#configure-an-identity-based-connection). WebJobs looks the name up with the
 * `AzureWebJobs` prefix first and then as it is (`GetWebJobsConnectionStringSection` in
 * Azure/azure-webjobs-sdk): the first of the two that exists — as a value or as a section of
 * `__`-separated settings — is the connection. Its value is a connection string; a section is an
 * identity-based connection that must name `fullyQualifiedNamespace`. The identity follows
 * Microsoft.Extensions.Azure's ClientFactory: `__clientId` picks a user-assigned managed identity only
 * together with `__credential = managedidentity`; without it the clientId does not choose the identity.
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
  for (const candidate of [`AzureWebJobs${name}`, name]) {
    const exact = readSetting(env, candidate);
    if (exact) return { kind: 'connectionString', setting: candidate, connectionString: exact };
    if (!hasSection(env, candidate)) continue;
    const namespace = readSection(env, candidate, 'fullyQualifiedNamespace');
    if (!namespace)
      throw new Error(
        `Service Bus trigger ${functionName}: connection "${candidate}" has settings but no ${candidate}__fullyQualifiedNamespace. Set it to the namespace host (e.g. myns.servicebus.windows.net).`,
      );
    const managedIdentity = readSection(env, candidate, 'credential')?.toLowerCase() === 'managedidentity';
    const clientId = managedIdentity ? readSection(env, candidate, 'clientId') : undefined;
    return {
      kind: 'identity',
      setting: `${candidate}__fullyQualifiedNamespace`,
      fullyQualifiedNamespace: namespace,
      ...(clientId ? { clientId } : {}),
    };
  }
  throw new Error(
    `Service Bus trigger ${functionName}: connection "${name}" is not configured. Set ${name}__fullyQualifiedNamespace to the namespace host (identity-based, e.g. myns.servicebus.windows.net; with ${name}__credential=managedidentity and ${name}__clientId for a user-assigned identity) or, for a local emulator only, ${name} to its connection string.`,
  );
}

/** Setting names are case-insensitive; `:` is the configuration form of `__`. */
const normal = (name: string) => name.toLowerCase().replace(/:/g, '__');

function readSetting(env: Env, name: string): string | undefined {
  const wanted = normal(name);
  return Object.entries(env)
    .find(([n, v]) => normal(n) === wanted && v?.trim())?.[1]
    ?.trim();
}

function hasSection(env: Env, prefix: string): boolean {
  const wanted = `${normal(prefix)}__`;
  return Object.entries(env).some(([n, v]) => normal(n).startsWith(wanted) && v?.trim());
}

function readSection(env: Env, prefix: string, key: string): string | undefined {
  return readSetting(env, `${prefix}__${key}`);
}
