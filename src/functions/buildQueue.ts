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
  const result = await submitBuild(message, {
    starter: durableStarter(df.getClient(context)),
    events: services.events,
    clock: services.clock,
    log: triggerLog(context),
    settings: orchestrationSettings(),
  });
  if (result.outcome === 'invalid') {
    context.extraOutputs.set(poison, typeof message === 'string' ? message : JSON.stringify(message));
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
