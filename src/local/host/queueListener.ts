import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import type { Registration } from './functionsCore';
import { resolveSetting, invokeFunction, type InvokeEnvironment } from './invoke';

export interface QueueOptions {
  batchSize: number;
  maxDequeueCount: number;
  visibilityTimeoutSeconds: number;
  /** Real milliseconds between polls of an empty queue (Functions backs off up to a minute; locally we stay quick). */
  pollMs: number;
}

/**
 * A storage queue trigger over Azurite, with the Functions runtime's semantics: messages are base64
 * JSON, a failed invocation leaves the message to reappear after the visibility timeout, and after
 * maxDequeueCount attempts it moves to `<queue>-poison`.
 */
export class QueueListener {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private active = 0;
  private readonly queue: QueueClient;
  private readonly poison: QueueClient;
  readonly queueName: string;

  constructor(
    private readonly registration: Registration,
    private readonly env: InvokeEnvironment,
    private readonly options: QueueOptions,
  ) {
    this.queueName = resolveSetting(String(registration.trigger.queueName));
    const connection = process.env[String(registration.trigger.connection ?? 'AzureWebJobsStorage')];
    if (!connection)
      throw new Error(
        `Queue trigger ${registration.name}: storage connection ${String(registration.trigger.connection)} is not set.`,
      );
    const service = QueueServiceClient.fromConnectionString(connection);
    this.queue = service.getQueueClient(this.queueName);
    this.poison = service.getQueueClient(`${this.queueName}-poison`);
  }

  async start(): Promise<void> {
    await this.queue.createIfNotExists();
    await this.poison.createIfNotExists();
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    let got = 0;
    try {
      const { receivedMessageItems } = await this.queue.receiveMessages({
        numberOfMessages: this.options.batchSize,
        visibilityTimeout: this.options.visibilityTimeoutSeconds,
      });
      got = receivedMessageItems.length;
      await Promise.all(receivedMessageItems.map((m) => this.handle(m)));
    } catch (error) {
      if (!this.stopped)
        this.env.log(
          `[${this.registration.name}] polling ${this.queueName} failed: ${(error as Error).message}`,
        );
    }
    this.schedule(got > 0 ? 0 : this.options.pollMs);
  }

  private async handle(message: {
    messageId: string;
    popReceipt: string;
    messageText: string;
    dequeueCount: number;
    insertedOn: Date;
  }): Promise<void> {
    this.active += 1;
    const text = decode(message.messageText);
    try {
      await invokeFunction(this.registration, parse(text), this.env, {
        id: message.messageId,
        dequeueCount: message.dequeueCount,
        insertionTime: message.insertedOn,
        queueTrigger: text,
      });
      await this.queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (error) {
      const reason = (error as Error).message;
      if (message.dequeueCount >= this.options.maxDequeueCount) {
        await this.poison.sendMessage(message.messageText);
        await this.queue.deleteMessage(message.messageId, message.popReceipt);
        this.env.log(
          `[${this.registration.name}] message ${message.messageId} moved to ${this.queueName}-poison after ${message.dequeueCount} attempts: ${reason}`,
        );
      } else {
        this.env.log(
          `[${this.registration.name}] message ${message.messageId} failed (attempt ${message.dequeueCount} of ${this.options.maxDequeueCount}): ${reason}`,
        );
      }
    } finally {
      this.active -= 1;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = Date.now() + 10_000;
    while (this.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}

/** The runtime accepts base64 or plain text; it hands the function parsed JSON when the text is JSON. */
function decode(text: string): string {
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0) {
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    if (Buffer.from(decoded, 'utf8').toString('base64') === text) return decoded;
  }
  return text;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
