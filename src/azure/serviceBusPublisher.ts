import type { ServiceBusClient, ServiceBusMessage, ServiceBusSender } from '@azure/service-bus';
import type { CloudEvent } from '../domain/events';
import type { EventPublisher } from '../ports/events';
import { PermanentError, TransientError } from '../domain/errors';

/**
 * CloudEvents 1.0 in structured mode on a Service Bus topic: the body is the event as UTF-8 JSON (an
 * AMQP data section, readable from any language), `messageId` is the event id so duplicate detection
 * drops a re-sent event, `correlationId` is the request id, and application properties carry what
 * subscription filters need.
 */
function toServiceBusMessage(event: CloudEvent, requestId: string): ServiceBusMessage {
  const data = event.data as Record<string, unknown>;
  const versionId = (data.imageVersionId ?? '') as string;
  const definitionId =
    (data.imageDefinitionId as string | undefined) ??
    (versionId ? versionId.replace(/\/versions\/[^/]+$/i, '') : undefined);
  const properties: Record<string, string> = {
    type: event.type,
    source: event.source,
    subject: event.subject,
  };
  if (definitionId) properties.imageDefinition = definitionId.split('/').at(-1)!;
  const version =
    (data.version as string | undefined) ?? (versionId ? versionId.split('/').at(-1) : undefined);
  if (version) properties.version = version;
  if (typeof data.region === 'string') properties.region = data.region;
  if (typeof data.poolId === 'string') properties.poolId = data.poolId;
  return {
    body: Buffer.from(JSON.stringify(event), 'utf8'),
    contentType: 'application/cloudevents+json; charset=utf-8',
    messageId: event.id,
    correlationId: requestId,
    subject: event.type,
    applicationProperties: properties,
  };
}

export class ServiceBusEventPublisher implements EventPublisher {
  private sender?: ServiceBusSender;

  constructor(
    private readonly client: ServiceBusClient,
    private readonly topic: string,
  ) {}

  async publish(events: CloudEvent[], context: { requestId: string }): Promise<void> {
    if (events.length === 0) return;
    this.sender ??= this.client.createSender(this.topic);
    try {
      await this.sender.sendMessages(events.map((e) => toServiceBusMessage(e, context.requestId)));
    } catch (error) {
      const e = error as { retryable?: boolean; code?: string; message?: string };
      const message = `Publishing ${events.map((x) => x.type).join(', ')} to topic ${this.topic}: ${e.message ?? String(error)}`;
      if (e.retryable !== false && e.code !== 'MessagingEntityNotFound' && e.code !== 'UnauthorizedAccess') {
        throw new TransientError(`${message}; will retry.`, e.code ?? 'ServiceBusError', this.topic);
      }
      throw new PermanentError(
        `${message}. Check that the topic exists and the identity has Azure Service Bus Data Sender on it.`,
        e.code ?? 'ServiceBusError',
        this.topic,
      );
    }
  }

  async close(): Promise<void> {
    await this.sender?.close();
  }
}
