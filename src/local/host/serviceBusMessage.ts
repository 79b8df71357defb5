import type { ServiceBusReceivedMessage } from '@azure/service-bus';

/**
 * What a Service Bus trigger hands a Node function, as in Azure: the extension binds the body to a
 * string (UTF-8, bytes that are not UTF-8 become U+FFFD; the v4 model has no binary dataType —
 * Azure/azure-functions-nodejs-worker#684) and the Node library's fromRpcTypedData parses a string
 * that is JSON (tryJsonParse; Azure/azure-functions-nodejs-library#21), so a JSON body arrives as an
 * object and anything else as the text.
 */
export function serviceBusTriggerInput(body: unknown): unknown {
  const text = serviceBusBodyText(body);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The body as the string the extension binds (the receiver runs with skipParsingBodyAsJson). */
export function serviceBusBodyText(body: unknown): string {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return new TextDecoder('utf-8').decode(body);
  if (typeof body === 'string') return body;
  return JSON.stringify(body) ?? '';
}

/**
 * The trigger metadata the extension's binding data contract gives (camel-cased by the Node
 * library). DeliveryCount counts this delivery: the .NET client adds one to the AMQP header's count
 * of earlier attempts for a received (not peeked) message (AmqpMessageConverter.cs in
 * Azure/azure-sdk-for-net, sdk/servicebus/Azure.Messaging.ServiceBus), so the first delivery reads 1.
 */
export function serviceBusTriggerMetadata(message: ServiceBusReceivedMessage): Record<string, unknown> {
  return {
    messageId: message.messageId,
    deliveryCount: (message.deliveryCount ?? 0) + 1,
    sequenceNumber: Number(message.sequenceNumber ?? 0),
    enqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
    expiresAtUtc: message.expiresAtUtc?.toISOString(),
    lockToken: message.lockToken,
    contentType: message.contentType,
    correlationId: message.correlationId,
    subject: message.subject,
    applicationProperties: message.applicationProperties ?? {},
    userProperties: message.applicationProperties ?? {},
  };
}
