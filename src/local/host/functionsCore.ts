import Module from 'node:module';

/**
 * Stands in for the `@azure/functions-core` module the Node worker gives the app. With it present,
 * `@azure/functions` registers functions exactly as under the real worker (instead of "test mode"),
 * and every registration — name, bindings, handler — lands here.
 */
export interface Binding {
  name?: string;
  type: string;
  direction: 'in' | 'out';
  [property: string]: unknown;
}

export interface Registration {
  name: string;
  bindings: Record<string, Binding>;
  handler: (...args: unknown[]) => unknown;
  trigger: Binding & { name: string };
}

export const registrations = new Map<string, Registration>();

const coreApi = {
  version: '3.10.0-embedded',
  hostVersion: '4.0.0-embedded',
  registerFunction(
    metadata: { name: string; bindings: Record<string, Binding> },
    handler: (...args: unknown[]) => unknown,
  ) {
    const [triggerName, trigger] =
      Object.entries(metadata.bindings).find(([, b]) => b.direction === 'in' && /trigger$/i.test(b.type)) ??
      [];
    if (!trigger || !triggerName) throw new Error(`Function ${metadata.name} has no trigger binding.`);
    registrations.set(metadata.name.toLowerCase(), {
      name: metadata.name,
      bindings: metadata.bindings,
      handler,
      trigger: { ...trigger, name: triggerName },
    });
    return { dispose: () => registrations.delete(metadata.name.toLowerCase()) };
  },
  setProgrammingModel() {},
  getProgrammingModel() {
    return { name: '@azure/functions', version: '4' };
  },
  registerHook() {
    return { dispose() {} };
  },
  log() {},
  get app() {
    return { functions: [...registrations.values()] };
  },
};

let installed = false;

/** Makes `require('@azure/functions-core')` answer with the embedded core API. Call before loading the app. */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const proto = Module.prototype as unknown as { require: (id: string) => unknown };
  const original = proto.require;
  proto.require = function (this: unknown, id: string) {
    if (id === '@azure/functions-core') return coreApi;
    return original.call(this, id);
  };
}
