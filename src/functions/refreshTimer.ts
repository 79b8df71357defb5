import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { planRefresh } from '../triggers/refresh';
import { submitBuild } from '../triggers/intake';
import { applyRetention } from '../activities/retention';
import { appConfig, appServices, orchestrationSettings } from '../compositionRoot';
import { durableStarter, triggerLog } from './durableStarter';

/** Builds the watched images whose refresh is due, and applies retention to every watched definition. */
export async function refreshImagesHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = appServices();
  const plan = await planRefresh(appConfig().factory, services.gallery, services.clock.now());
  const starter = durableStarter(df.getClient(context));
  for (const build of plan.builds) {
    await submitBuild(build, {
      starter,
      events: services.events,
      clock: services.clock,
      log: triggerLog(context),
      settings: orchestrationSettings(),
    });
  }
  for (const retention of plan.retention) {
    const actions = await applyRetention(services, retention);
    const changed = actions.filter((a) => a.kind !== 'keep');
    if (changed.length)
      context.log(
        `Retention on ${retention.definitionId}: ${changed.map((a) => `${a.kind} ${a.versionId.split('/').at(-1)}`).join(', ')}`,
      );
  }
  context.log(
    `refreshImages: ${plan.builds.length} build(s) due, retention checked on ${plan.retention.length} definition(s).`,
  );
}

app.timer('refreshImages', {
  schedule: '%BIF_REFRESH_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: refreshImagesHandler,
});
