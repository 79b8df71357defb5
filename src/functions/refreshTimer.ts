import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { planRefresh, readWatchedVersions } from '../triggers/refresh';
import { submitBuild } from '../triggers/intake';
import { applyRetention } from '../activities/retention';
import { appConfig, appServices, orchestrationSettings } from '../compositionRoot';
import { durableStarter, triggerLog } from './durableStarter';

/** Builds the watched images whose refresh is due, and applies retention to every watched definition. */
export async function refreshImagesHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = appServices();
  const factory = appConfig().factory;
  // Read first, then decide: the plan gets the versions as data.
  const versions = await readWatchedVersions(factory, services.gallery);
  const plan = planRefresh(factory, versions, services.clock.now());
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
  // A definition whose versions could not be read was not built: fail the run so it shows as a failure.
  for (const f of plan.failures) context.warn(`refreshImages: ${f.definitionId} ${f.reason}`);
  if (plan.failures.length)
    throw new Error(
      `refreshImages: ${plan.failures.length} watched definition(s) skipped: ${plan.failures.map((f) => `${f.definitionId} ${f.reason}`).join('; ')}`,
    );
}

app.timer('refreshImages', {
  schedule: '%BIF_REFRESH_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: refreshImagesHandler,
});
