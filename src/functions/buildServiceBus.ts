import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { submitBuild } from '../triggers/intake';
import { PermanentError } from '../domain/errors';
import { appServices, orchestrationSettings } from '../compositionRoot';
import { SETTINGS } from '../config/settings';
import { durableStarter, triggerLog } from './durableStarter';
import { INTAKE_RETRY_DELAYS_MS, retryTransient } from '../triggers/intakeRetry';

/**
 * A request that can never run. The Node programming model (@azure/functions 4.x) gives the function
 * no settlement of its own (ServiceBusMessageActions needs the preview @azure/functions-extensions-servicebus),
 * so the message is kept by failing: the extension abandons it, and Service Bus dead-letters it once
 * the queue's maxDeliveryCount is reached. The findings went out first on Pipeline.Failed.
 */
export class InvalidBuildMessageError extends PermanentError {
  constructor(requestId: string, codes: string[], messageId: unknown) {
    super(
      `Build request ${requestId} (message ${String(messageId)}) is not valid: ${codes.join(', ')}. Pipeline.Failed carries the findings; the message stays on the queue until Service Bus dead-letters it.`,
      'REQUEST_INVALID',
    );
  }
}

/**
 * The trigger's handler. A failure of Durable or of the event topic that may clear by itself is tried
 * again inside the invocation (the host keeps the message locked meanwhile), because an abandoned
 * message comes back at once and would be dead-lettered within seconds; only a request that can never
 * run, or a failure that outlasts the tries, is thrown.
 */
export function serviceBusIntakeHandler(
  options: { delaysMs: readonly number[]; sleep?: (ms: number) => Promise<void> } = {
    delaysMs: INTAKE_RETRY_DELAYS_MS,
  },
) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const services = appServices();
    const log = triggerLog(context);
    const messageId = String(context.triggerMetadata?.messageId);
    // The worker hands over a JSON body parsed and anything else as text: both are validated as sent.
    const result = await retryTransient(
      () =>
        submitBuild(message, {
          starter: durableStarter(df.getClient(context)),
          events: services.events,
          clock: services.clock,
          log,
          settings: orchestrationSettings(),
        }),
      { ...options, log, what: `Build request message ${messageId}` },
    );
    if (result.outcome === 'invalid') {
      const codes = [...new Set(result.findings.map((f) => f.code))];
      throw new InvalidBuildMessageError(result.requestId, codes, context.triggerMetadata?.messageId);
    }
  };
}

export const buildServiceBusHandler = serviceBusIntakeHandler();

app.serviceBusQueue('buildRequestsServiceBus', {
  // Identity-based in Azure (BIF_SERVICEBUS__fullyQualifiedNamespace, the events' namespace).
  connection: SETTINGS.serviceBusTriggerConnection.name,
  queueName: `%${SETTINGS.serviceBusBuildQueue.name}%`,
  extraInputs: [df.input.durableClient()],
  handler: buildServiceBusHandler,
});
