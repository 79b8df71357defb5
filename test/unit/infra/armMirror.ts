import { declaredParams, moduleCalls, modulePath, readInfra, resources, type ResourceDecl } from './bicep';

/**
 * The local world's stand-in for Azure Resource Manager deployments. No Bicep compiler or ARM runs
 * here, so this mirror reads the templates (with the small reader in ./bicep), works out which
 * resources a deployment creates with the parameters azd would pass, and applies them to a model
 * of the subscription that enforces the Azure rules the deployment depends on:
 *
 * - an Event Grid subscription whose destination is an Azure Function is validated when it is
 *   created: the function must already exist in the app (it exists only once code is deployed) and
 *   must be an Event Grid trigger ("Destination endpoint not found" / "Unsupported Azure Function
 *   Trigger");
 * - only one Event Grid system topic may exist per source (a resource group here);
 * - a Flex Consumption app runs a supported language stack: Node 22 (Node 20's support ended on
 *   30 April 2026).
 *
 * Sources are cited in docs/simulator.md ("Azure rules the local world enforces").
 */
export class ArmRuleError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export class ArmMirror {
  /** source (lower-case resource id) → system topic name */
  readonly systemTopics = new Map<string, string>();
  /** function app id (lower-case) → function name → trigger type, as the code deployment left them */
  readonly deployedFunctions = new Map<string, Map<string, string>>();
  readonly created: string[] = [];

  createSystemTopic(name: string, source: string): void {
    const existing = this.systemTopics.get(source.toLowerCase());
    if (existing !== undefined && existing !== name)
      throw new ArmRuleError(
        'InvalidRequest',
        `System topic '${existing}' already exists for source ${source}; only one Azure Event Grid system topic is allowed per source.`,
      );
    this.systemTopics.set(source.toLowerCase(), name);
    this.created.push(`systemTopic ${name}`);
  }

  /** Flex Consumption Node versions (Node 20 reached end of support on Azure Functions on 30 April 2026). */
  static readonly flexNodeVersions = { supported: ['22'], retired: ['18', '20'] };

  createFlexConsumptionApp(name: string, runtime: { name: string; version: string } | undefined): void {
    const { supported, retired } = ArmMirror.flexNodeVersions;
    if (runtime?.name !== 'node' || !supported.includes(runtime.version))
      throw new ArmRuleError(
        'UnsupportedRuntime',
        `${name}: functionAppConfig.runtime ${JSON.stringify(runtime)} is not a supported Flex Consumption stack; use { name: 'node', version: '${supported.at(-1)}' }${retired.includes(runtime?.version ?? '') ? ` (Node ${runtime?.version} is past end of support)` : ''}.`,
      );
    this.created.push(`functionApp ${name} node ${runtime.version}`);
  }

  /** What `azd deploy` leaves behind: the functions the compiled app registers. */
  deployCode(functionAppId: string, functions: Map<string, string>): void {
    this.deployedFunctions.set(functionAppId.toLowerCase(), new Map(functions));
  }

  createFunctionEventSubscription(name: string, destinationResourceId: string | undefined): void {
    const m = /^(.*)\/functions\/([^/]+)$/i.exec(destinationResourceId ?? '');
    const trigger = m ? this.deployedFunctions.get(m[1]!.toLowerCase())?.get(m[2]!) : undefined;
    if (trigger === undefined)
      throw new ArmRuleError(
        'Endpoint validation',
        `Destination endpoint not found. Resource details: resourceId: ${destinationResourceId ?? '(function app created in this deployment, no code yet)'}.`,
      );
    if (trigger !== 'eventGridTrigger')
      throw new ArmRuleError(
        'Unsupported Azure Function Trigger',
        "Can't add resource; Azure Event Grid supports EventGrid Trigger type only.",
      );
    this.created.push(`eventSubscription ${name} -> ${destinationResourceId}`);
  }
}

/** A value known at deployment time, or undefined when it depends on a resource being created. */
type Value = string | undefined;

export interface PlannedResource {
  file: string;
  decl: ResourceDecl;
  /** resource id of the resource group it is deployed into, when known */
  scope: Value;
  eval: (expression: string) => Value;
}

/**
 * The resources a deployment of `file` creates (`existing` ones and false conditions excluded),
 * following module calls, with an evaluator for the few expression shapes the templates use.
 */
export function plan(
  file: string,
  params: Record<string, Value>,
  scope: Value = undefined,
): PlannedResource[] {
  const text = readInfra(file);
  const scopeValues: Record<string, Value> = {};
  for (const p of declaredParams(text))
    scopeValues[p.name] =
      p.name in params ? params[p.name] : p.default !== undefined ? literal(p.default) : undefined;
  const vars = new Map<string, string>();
  for (const m of text.matchAll(/^var (\w+) = (.*)$/gm)) vars.set(m[1]!, m[2]!);

  const evaluate = (expression: string): Value => {
    const e = expression.trim();
    if (/^'[^']*'$/.test(e)) return interpolate(e.slice(1, -1));
    if (e === 'resourceGroup().id') return scope;
    const not = /^!(.*)$/.exec(e);
    if (not) return flip(evaluate(not[1]!));
    const empty = /^empty\((.*)\)$/.exec(e);
    if (empty) {
      const v = evaluate(empty[1]!);
      return v === undefined ? undefined : String(v === '');
    }
    if (/^\w+$/.test(e)) {
      if (e in scopeValues) return scopeValues[e];
      if (vars.has(e)) return evaluate(vars.get(e)!);
    }
    return undefined;
  };
  const interpolate = (s: string): Value => {
    let unknown = false;
    const out = s.replace(/\$\{([^}]+)\}/g, (_, inner: string) => {
      const v = evaluate(inner);
      if (v === undefined) unknown = true;
      return v ?? '';
    });
    return unknown ? undefined : out;
  };
  const holds = (condition?: string) => condition === undefined || evaluate(condition) !== 'false';

  const planned: PlannedResource[] = resources(text)
    .filter((r) => !r.existing && holds(r.condition))
    .map((decl) => ({ file, decl, scope, eval: evaluate }));
  for (const call of moduleCalls(text)) {
    if (!holds(call.condition)) continue;
    const childParams = Object.fromEntries(call.params.map(([k, v]) => [k, evaluate(v)]));
    const callText = text.slice(text.indexOf(`module ${call.symbol} `));
    const scopeExpr = /\n\s*scope: (.*)\n/.exec(callText)?.[1];
    planned.push(
      ...plan(modulePath(file, call.path), childParams, moduleScope(scopeExpr, vars, evaluate, scope)),
    );
  }
  return planned;
}

/** `resourceGroup(parts[2], parts[4])` where `var parts = split(<id>, '/')`. */
function moduleScope(
  expression: string | undefined,
  vars: Map<string, string>,
  evaluate: (e: string) => Value,
  current: Value,
): Value {
  if (expression === undefined) return current;
  const m = /^resourceGroup\((\w+)\[2\], (\w+)\[4\]\)$/.exec(expression.trim());
  if (!m) return undefined;
  const split = /^split\((\w+), '\/'\)$/.exec(vars.get(m[1]!) ?? '');
  const id = split ? evaluate(split[1]!) : undefined;
  if (!id) return undefined;
  const parts = id.split('/');
  return `/subscriptions/${parts[2]}/resourceGroups/${parts[4]}`;
}

const flip = (v: Value): Value => (v === undefined ? undefined : String(v !== 'true'));
const literal = (s: string): Value => (/^'[^'$]*'$/.test(s.trim()) ? s.trim().slice(1, -1) : undefined);

/** Applies planned resources to the mirror, in template order, as ARM would create them. */
export function apply(mirror: ArmMirror, planned: PlannedResource[]): void {
  for (const r of planned) {
    const property = (name: string) => {
      const m = new RegExp(`\\b${name}: (.*)`).exec(r.decl.body);
      return m ? r.eval(m[1]!.replace(/,$/, '')) : undefined;
    };
    if (r.decl.type === 'Microsoft.Web/sites' && /functionAppConfig:/.test(r.decl.body)) {
      const runtime = /runtime: \{ name: '(\w+)', version: '([\d.]+)' \}/.exec(r.decl.body);
      mirror.createFlexConsumptionApp(
        r.decl.symbol,
        runtime ? { name: runtime[1]!, version: runtime[2]! } : undefined,
      );
    }
    if (r.decl.type === 'Microsoft.EventGrid/systemTopics')
      mirror.createSystemTopic(
        r.eval(/^\s*name: (.*)$/m.exec(r.decl.body)![1]!) ?? r.decl.symbol,
        property('source') ?? '?',
      );
    if (
      /^Microsoft\.EventGrid\/.*eventSubscriptions$/.test(r.decl.type) &&
      /endpointType: 'AzureFunction'/.test(r.decl.body)
    )
      mirror.createFunctionEventSubscription(r.decl.symbol, property('resourceId'));
  }
}
