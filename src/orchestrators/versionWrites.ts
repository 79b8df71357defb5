import type { OrchestrationContext } from 'durable-functions';
import type { OrchestrationSettings } from '../domain/pipeline';
import type { TargetRegionSpec } from '../ports';
import { activities, nextInterval, nowMs, sleep, StepFailedError } from './steps';

/**
 * Azure takes no write to an image version while it is Creating or Updating (a version's PUT lasts until
 * every region has replicated: hours). The target-region update therefore waits here, on durable timers
 * with a growing interval, until the version is Succeeded or Failed, then writes.
 */
const MAX_WAIT_MS = 48 * 3_600_000;

export function* updateTargetRegionsWhenIdle(
  context: OrchestrationContext,
  input: { versionId: string; targetRegions: TargetRegionSpec[] },
  settings: Pick<OrchestrationSettings, 'pollMinMs' | 'pollMaxMs'>,
) {
  const deadline = nowMs(context) + MAX_WAIT_MS;
  let interval = settings.pollMinMs;
  let update = yield* activities(context).updateTargetRegions(input);
  while (!update.applied && nowMs(context) < deadline) {
    yield* sleep(context, interval);
    interval = nextInterval(interval, false, settings.pollMinMs, settings.pollMaxMs);
    update = yield* activities(context).updateTargetRegions(input);
  }
  if (update.applied) return;
  throw new StepFailedError('updateTargetRegions', {
    kind: 'permanent',
    code: 'VersionBusy',
    message: `${update.reason} It stayed busy for ${MAX_WAIT_MS / 3_600_000} hours; check the version in the portal.`,
    target: input.versionId,
  });
}
