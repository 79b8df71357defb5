import { app, output, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { submitBuild } from '../triggers/intake';
import { appServices, orchestrationSettings } from '../compositionRoot';
import { durableStarter, triggerLog } from './durableStarter';

/** Invalid requests go straight to the poison queue, as sent, so they can be fixed and re-queued. */
const poison = output.storageQueue({
  queueName: '%BIF_BUILD_QUEUE%-poison',
  connection: 'AzureWebJobsStorage',
});

export async function buildQueueHandler(message: unknown, context: InvocationContext): Promise<void> {
  const services = appServices();
  // The runtime hands over parsed JSON when it can; validate (and keep) the message text as sent.
  const sent =
    typeof context.triggerMetadata?.queueTrigger === 'string'
      ? context.triggerMetadata.queueTrigger
      : message;
  const result = await submitBuild(sent, {
    starter: durableStarter(df.getClient(context)),
    events: services.events,
    clock: services.clock,
    log: triggerLog(context),
    settings: orchestrationSettings(),
  });
  if (result.outcome === 'invalid') {
    context.extraOutputs.set(poison, typeof sent === 'string' ? sent : JSON.stringify(sent));
    context.warn(
      `Request ${result.requestId} moved to the poison queue: ${result.findings.map((f) => f.message).join(' | ')}`,
    );
  }
}

app.storageQueue('buildRequests', {
  queueName: '%BIF_BUILD_QUEUE%',
  connection: 'AzureWebJobsStorage',
  extraInputs: [df.input.durableClient()],
  extraOutputs: [poison],
  handler: buildQueueHandler,
});
