import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { planRefresh, readWatchedVersions } from '../triggers/refresh';
import { submitBuild } from '../triggers/intake';
import { sendToLedger } from '../activities/ledger';
import { appConfig, appServices, orchestrationSettings } from '../compositionRoot';
import { durableInstances, durableStarter, triggerLog } from './durableStarter';

/** The sender the ledger sees for the timer's retention (one-way: it holds no lease, wants no reply). */
const REFRESH_SENDER = 'refreshImages';

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
  // Retention goes through each definition's ledger, like a build's: it runs in turn with the ledger's
  // other operations and never touches a version a running pipeline or rollout leases.
  const ledgerServices = { ...services, instances: durableInstances(df.getClient(context)) };
  for (const { definitionId, keepVersions, accounts } of plan.retention) {
    const { ledgerId } = await sendToLedger(ledgerServices, {
      definitionId,
      op: { kind: 'retention', from: REFRESH_SENDER, keepVersions, accounts, release: false },
    });
    context.log(`Retention on ${definitionId} handed to its ledger ${ledgerId}.`);
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
