import { InvocationContext } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import type { Registration } from './functionsCore';
import { encodeQueueMessage, type MessageEncoding } from './queueEncoding';
import { whileHeld, type HoldClock } from './clockHold';

/** `%NAME%` in binding properties reads the app setting NAME, as in Azure. */
export function resolveSetting(value: string): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const setting = process.env[name];
    if (setting === undefined)
      throw new Error(`Binding expression %${name}% names an app setting that is not set.`);
    return setting;
  });
}

export interface InvokeEnvironment {
  /** What a durableClient input binding receives. */
  durableClientData: unknown;
  log: (line: string) => void;
  /** host.json extensions.queues.messageEncoding: queue output bindings write in it (default base64). */
  messageEncoding?: MessageEncoding;
  /**
   * Holds the shared clock while a function runs (see clockHold.ts): every trigger (timer, queue,
   * Service Bus, HTTP, Event Grid) runs through `invokeFunction`, so this is the one place they hold it.
   */
  hold?: HoldClock;
}

/**
 * Calls a registered function the way the worker does: a fresh InvocationContext carrying the
 * trigger, inputs (the Durable client) and outputs; then delivers queue outputs it set.
 */
export function invokeFunction(
  registration: Registration,
  triggerInput: unknown,
  env: InvokeEnvironment,
  triggerMetadata: Record<string, unknown> = {},
): Promise<unknown> {
  // Held from the call itself (a timer trigger's alarm), not from the first await inside.
  return whileHeld(env.hold, () => invokeHeld(registration, triggerInput, env, triggerMetadata));
}

async function invokeHeld(
  registration: Registration,
  triggerInput: unknown,
  env: InvokeEnvironment,
  triggerMetadata: Record<string, unknown>,
): Promise<unknown> {
  const inputs = Object.entries(registration.bindings)
    .filter(([name, b]) => b.direction === 'in' && name !== registration.trigger.name)
    .map(([name, b]) => ({ ...b, name }) as Record<string, unknown> & { name: string; type: string });
  const outputs = Object.entries(registration.bindings)
    .filter(([name, b]) => b.direction === 'out' && name !== '$return')
    .map(([name, b]) => ({ ...b, name }) as Record<string, unknown> & { name: string; type: string });
  const context = new InvocationContext({
    invocationId: `${registration.name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    functionName: registration.name,
    triggerMetadata,
    options: {
      trigger: registration.trigger as never,
      extraInputs: inputs as never,
      extraOutputs: outputs as never,
    },
    logHandler: (level, ...args) =>
      env.log(
        `[${registration.name}] ${level}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`,
      ),
  });
  for (const input of inputs)
    if (input.type === 'durableClient' || input.type === 'orchestrationClient')
      context.extraInputs.set(input.name, env.durableClientData);
  const result = await registration.handler(triggerInput, context);
  for (const output of outputs) {
    const value = context.extraOutputs.get(output.name);
    if (value === undefined) continue;
    if (output.type === 'queue')
      await sendToQueue(
        String(output.connection ?? 'AzureWebJobsStorage'),
        resolveSetting(String(output.queueName)),
        value,
        env.messageEncoding ?? 'base64',
      );
    else
      env.log(
        `[${registration.name}] output binding ${output.name} of type ${output.type} is not supported by the embedded host; value dropped`,
      );
  }
  return result;
}

/**
 * A queue output binding: each item as text in the host's messageEncoding (base64 by default), so
 * a trigger on the same host receives exactly the text the function set.
 */
export async function sendToQueue(
  connection: string,
  queueName: string,
  value: unknown,
  encoding: MessageEncoding = 'base64',
): Promise<void> {
  const connectionString = process.env[connection] ?? process.env[`${connection}`];
  if (!connectionString) throw new Error(`Storage connection ${connection} is not set.`);
  const queue = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queueName);
  await queue.createIfNotExists();
  for (const item of Array.isArray(value) ? value : [value]) {
    const text = typeof item === 'string' ? item : JSON.stringify(item);
    await queue.sendMessage(encodeQueueMessage(text, encoding));
  }
}

/**
 * An activity invocation with the input bindings its registration declares (a Durable client), as
 * the worker gives them; the engine's own context carries none, so `df.getClient` would refuse.
 */
export function withInputBindings(
  registration: Registration,
  context: InvocationContext,
  env: InvokeEnvironment,
): InvocationContext {
  const inputs = Object.entries(registration.bindings)
    .filter(([name, b]) => b.direction === 'in' && name !== registration.trigger.name)
    .map(([name, b]) => ({ ...b, name }) as Record<string, unknown> & { name: string; type: string });
  if (inputs.length === 0) return context;
  const bound = new InvocationContext({
    invocationId: context.invocationId,
    functionName: registration.name,
    options: { trigger: registration.trigger as never, extraInputs: inputs as never, extraOutputs: [] },
    logHandler: (level, ...args) =>
      env.log(
        `[${registration.name}] ${level}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`,
      ),
  });
  for (const input of inputs)
    if (input.type === 'durableClient' || input.type === 'orchestrationClient')
      bound.extraInputs.set(input.name, env.durableClientData);
  return bound;
}
