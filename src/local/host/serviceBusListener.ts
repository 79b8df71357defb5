import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import type { Registration } from './functionsCore';
import { invokeFunction, resolveSetting, type InvokeEnvironment } from './invoke';
import { resolveServiceBusConnection, type ServiceBusConnection } from './serviceBusConnection';
import { serviceBusTriggerInput, serviceBusTriggerMetadata } from './serviceBusMessage';

/** host.json `extensions.serviceBus`, with the extension's defaults filled in. */
export interface ServiceBusTriggerOptions {
  autoCompleteMessages: boolean;
  maxConcurrentCalls: number;
  maxAutoLockRenewalMs: number;
}

/**
 * A Service Bus queue (or subscription) trigger with the Functions Service Bus extension's semantics:
 * peek-lock receive; the message completed when the function returns (autoCompleteMessages), abandoned
 * when it throws, so the broker counts the delivery and dead-letters the message once the entity's
 * maxDeliveryCount is reached (MaxDeliveryCountExceeded). The lock is renewed while the function runs.
 */
export class ServiceBusListener {
  private client?: ServiceBusClient;
  private receiver?: ServiceBusReceiver;
  private subscription?: { close(): Promise<void> };
  private active = 0;
  readonly entityPath: string;
  private readonly connection: ServiceBusConnection;

  constructor(
    private readonly registration: Registration,
    private readonly env: InvokeEnvironment,
    private readonly options: ServiceBusTriggerOptions,
  ) {
    const trigger = registration.trigger;
    refuseUnsupported(registration);
    this.connection = resolveServiceBusConnection(registration.name, optionalString(trigger.connection));
    this.entityPath = trigger.queueName
      ? resolveSetting(String(trigger.queueName))
      : `${resolveSetting(String(trigger.topicName))}/Subscriptions/${resolveSetting(String(trigger.subscriptionName))}`;
  }

  /** autoCompleteMessages on the trigger wins over host.json, as in the extension. */
  private get autoComplete(): boolean {
    const own = this.registration.trigger.autoCompleteMessages;
    return typeof own === 'boolean' ? own : this.options.autoCompleteMessages;
  }

  async start(): Promise<void> {
    this.client = await createClient(this.connection);
    const [entity, subscription] = this.entityPath.split('/Subscriptions/');
    const receiveOptions = {
      receiveMode: 'peekLock' as const,
      skipParsingBodyAsJson: true,
      // The SDK would renew until the message is settled; the extension renews only while the
      // function runs (keepLocked), so an unsettled message returns when its lock expires.
      maxAutoLockRenewalDurationInMs: 0,
    };
    this.receiver = subscription
      ? this.client.createReceiver(entity!, subscription, receiveOptions)
      : this.client.createReceiver(entity!, receiveOptions);
    this.subscription = this.receiver.subscribe(
      {
        processMessage: (message) => this.handle(message),
        processError: async (args) => {
          this.env.log(
            `[${this.registration.name}] receiving from ${this.entityPath}: ${args.error.message}`,
          );
        },
      },
      {
        autoCompleteMessages: false, // settled below, the way the extension settles
        maxConcurrentCalls: this.options.maxConcurrentCalls,
      },
    );
  }

  private async handle(message: ServiceBusReceivedMessage): Promise<void> {
    this.active += 1;
    const receiver = this.receiver!;
    const release = keepLocked(receiver, message, this.options.maxAutoLockRenewalMs);
    try {
      await invokeFunction(
        this.registration,
        serviceBusTriggerInput(message.body),
        this.env,
        serviceBusTriggerMetadata(message),
      );
      release();
      if (this.autoComplete) await receiver.completeMessage(message);
    } catch (error) {
      release();
      this.env.log(
        `[${this.registration.name}] message ${String(message.messageId)} failed (delivery ${(message.deliveryCount ?? 0) + 1}), abandoned: ${(error as Error).message}`,
      );
      await receiver.abandonMessage(message).catch(() => undefined); // a lost lock returns it anyway
    } finally {
      this.active -= 1;
    }
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    const deadline = Date.now() + 10_000;
    while (this.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.receiver?.close();
    await this.client?.close();
  }
}

/**
 * What the embedded host cannot do as Azure does is refused at start-up, naming the fix, rather than
 * run differently: SDK-type bindings (settlement through ServiceBusMessageActions needs the
 * @azure/functions-extensions-servicebus package and the host's gRPC settlement service), sessions,
 * and batches.
 */
function refuseUnsupported(registration: Registration): void {
  const trigger = registration.trigger;
  const deferred = (trigger.properties as { supportsDeferredBinding?: unknown } | undefined)
    ?.supportsDeferredBinding;
  const problem =
    trigger.sdkBinding === true || String(deferred) === 'true'
      ? 'sdkBinding (ServiceBusMessageActions) is not supported by the embedded host'
      : trigger.isSessionsEnabled === true
        ? 'isSessionsEnabled is not supported by the embedded host'
        : trigger.cardinality === 'many'
          ? 'cardinality "many" is not supported by the embedded host'
          : undefined;
  if (problem) throw new Error(`Service Bus trigger ${registration.name}: ${problem}; remove it.`);
}

/** Renews the lock halfway through each lock period while the function runs, up to `maxMs` in all. */
function keepLocked(
  receiver: ServiceBusReceiver,
  message: ServiceBusReceivedMessage,
  maxMs: number,
): () => void {
  const deadline = Date.now() + maxMs;
  let timer: NodeJS.Timeout | undefined;
  let released = false;
  const schedule = () => {
    const wait = Math.max(0, ((message.lockedUntilUtc?.getTime() ?? Date.now()) - Date.now()) / 2);
    if (released || Date.now() + wait > deadline) return;
    timer = setTimeout(() => {
      receiver.renewMessageLock(message).then(schedule, () => undefined); // a lost lock ends renewal
    }, wait);
  };
  schedule();
  return () => {
    released = true;
    clearTimeout(timer);
  };
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

async function createClient(connection: ServiceBusConnection): Promise<ServiceBusClient> {
  if (connection.kind === 'connectionString') return new ServiceBusClient(connection.connectionString);
  // Local against real Azure: the operator's identity (az login, or a managed identity), as in Azure.
  const { DefaultAzureCredential } = await import('@azure/identity');
  const credential = new DefaultAzureCredential(
    connection.clientId ? { managedIdentityClientId: connection.clientId } : {},
  );
  return new ServiceBusClient(connection.fullyQualifiedNamespace, credential);
}

/** host.json `extensions.serviceBus` (extension 5.x): the settings the trigger reads, with their defaults. */
export interface ServiceBusHostJson {
  autoCompleteMessages?: boolean;
  maxConcurrentCalls?: number;
  maxAutoLockRenewalDuration?: string;
}

export function serviceBusOptionsFrom(settings: ServiceBusHostJson = {}): ServiceBusTriggerOptions {
  const renewal = /^(\d+):(\d+):(\d+)$/.exec(settings.maxAutoLockRenewalDuration ?? '00:05:00');
  if (!renewal)
    throw new Error(
      `host.json extensions.serviceBus.maxAutoLockRenewalDuration is "${settings.maxAutoLockRenewalDuration}"; write it as hh:mm:ss, e.g. "00:05:00".`,
    );
  return {
    autoCompleteMessages: settings.autoCompleteMessages ?? true,
    // The extension's default is 16 per processor; one processor's worth is plenty locally.
    maxConcurrentCalls: settings.maxConcurrentCalls ?? 16,
    maxAutoLockRenewalMs: (Number(renewal[1]) * 3600 + Number(renewal[2]) * 60 + Number(renewal[3])) * 1000,
  };
}
