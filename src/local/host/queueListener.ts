import { isUtf8 } from 'node:buffer';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import type { Registration } from './functionsCore';
import { resolveSetting, invokeFunction, type InvokeEnvironment } from './invoke';
import { decodeQueueMessage, type MessageEncoding } from './queueEncoding';

interface QueueMessage {
  messageId: string;
  popReceipt: string;
  messageText: string;
  dequeueCount: number;
  insertedOn: Date;
}

interface QueueOptions {
  batchSize: number;
  maxDequeueCount: number;
  visibilityTimeoutSeconds: number;
  /** Real milliseconds between polls of an empty queue (Functions backs off up to a minute; locally we stay quick). */
  pollMs: number;
  /** host.json extensions.queues.messageEncoding: what the trigger expects producers to send. */
  messageEncoding: MessageEncoding;
}

/**
 * A storage queue trigger over Azurite, with the Functions storage extension's semantics: messages
 * are decoded per `messageEncoding` (base64 by default); one that cannot be decoded never reaches the
 * function and moves to `<queue>-poison` at once; one whose bytes are not UTF-8 fails to bind as a
 * string; a failed invocation leaves the message to reappear after the visibility timeout, and after
 * maxDequeueCount attempts it moves to `<queue>-poison`. Poison keeps the message exactly as sent.
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

  private async handle(message: QueueMessage): Promise<void> {
    this.active += 1;
    try {
      const bytes = decodeQueueMessage(message.messageText, this.options.messageEncoding);
      if (!bytes) {
        // The extension's MessageDecodingFailed handler (QueueServiceClientProvider.cs in
        // azure-sdk-for-net) moves such a message to poison at once, through a non-encoding client.
        await this.moveToPoison(
          message,
          `it is not base64 and host.json sets extensions.queues.messageEncoding to "base64" (send base64, or set "none")`,
        );
        return;
      }
      await this.invoke(message, bytes);
    } finally {
      this.active -= 1;
    }
  }

  private async invoke(message: QueueMessage, bytes: Buffer): Promise<void> {
    try {
      // Binding to a string needs valid UTF-8, as the extension's ToValidUTF8String does; else the
      // invocation fails and the message follows the normal retry and poison path.
      if (!isUtf8(bytes))
        throw new Error('The message is not valid UTF-8 text, so it cannot be bound to a string.');
      const text = bytes.toString('utf8');
      await invokeFunction(this.registration, parse(text), this.env, {
        id: message.messageId,
        dequeueCount: message.dequeueCount,
        insertionTime: message.insertedOn,
        queueTrigger: text,
      });
      await this.queue.deleteMessage(message.messageId, message.popReceipt);
    } catch (error) {
      const reason = (error as Error).message;
      if (message.dequeueCount >= this.options.maxDequeueCount)
        await this.moveToPoison(message, `after ${message.dequeueCount} attempts: ${reason}`);
      else
        this.env.log(
          `[${this.registration.name}] message ${message.messageId} failed (attempt ${message.dequeueCount} of ${this.options.maxDequeueCount}): ${reason}`,
        );
    }
  }

  /** Copies the message text as it arrived — never re-encoded — then deletes the original. */
  private async moveToPoison(message: QueueMessage, why: string): Promise<void> {
    await this.poison.sendMessage(message.messageText);
    await this.queue.deleteMessage(message.messageId, message.popReceipt);
    this.env.log(
      `[${this.registration.name}] message ${message.messageId} moved to ${this.queueName}-poison ${why.startsWith('after') ? why : `because ${why}`}`,
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = Date.now() + 10_000;
    while (this.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
