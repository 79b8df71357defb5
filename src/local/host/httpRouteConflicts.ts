import type { Registration } from './functionsCore';

/**
 * The Functions host refuses an HTTP function whose route conflicts with one registered before it: the
 * same template (ignoring case and surrounding "/") and a method in common, no methods meaning all
 * (azure-functions-host ScriptHost.HttpRoutesConflict). That function is "in error" and never served;
 * the others run. Here the same, so an app that would lose a route in Azure loses it locally too.
 */
export function conflictOf(f: Registration, earlier: readonly Registration[]): string | undefined {
  const route = routeOf(f);
  const methods = methodsOf(f);
  for (const other of earlier) {
    if (routeOf(other) !== route) continue;
    const otherMethods = methodsOf(other);
    if (!methods.length || !otherMethods.length || methods.some((m) => otherMethods.includes(m)))
      return `The '${f.name}' function is in error: The route specified conflicts with the route defined by function '${other.name}'.`;
  }
  return undefined;
}

/** The HTTP functions the host serves, in registration order; each one in error is logged and left out. */
export function servedHttpFunctions(
  functions: readonly Registration[],
  log: (line: string) => void,
): Registration[] {
  const served: Registration[] = [];
  for (const f of functions.filter((r) => r.trigger.type === 'httpTrigger')) {
    const conflict = conflictOf(f, served);
    if (conflict) log(conflict);
    else served.push(f);
  }
  return served;
}

function routeOf(f: Registration): string {
  return String(f.trigger.route ?? f.name)
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase();
}

function methodsOf(f: Registration): string[] {
  return ((f.trigger.methods as string[] | undefined) ?? []).map((m) => m.toUpperCase());
}
