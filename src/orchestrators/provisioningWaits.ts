import type { OrchestrationContext, Task } from 'durable-functions';
import type { ProvisioningState } from '../ports';
import { activities, describeMs, nowMs, sleep, StepFailedError } from './steps';

const PROVISIONING_POLL_MS = 30_000;

/** A provisioning wait past its deadline: permanent, naming what is still not provisioned. */
function provisioningTimedOut(stage: string, ids: string[], deadlineMs: number): StepFailedError {
  return new StepFailedError(stage, {
    kind: 'permanent',
    code: 'ProvisioningTimedOut',
    message: `${ids.join(', ')} did not finish provisioning within ${describeMs(deadlineMs)}; check it in the Azure portal (activity log) and submit the request again`,
    target: ids[0],
  });
}

/** A resource that failed to provision or vanished while we waited: permanent. */
function provisioningFailed(stage: string, s: ProvisioningState): StepFailedError | undefined {
  if (s.state !== 'Failed' && s.state !== 'NotFound') return undefined;
  const why = s.state === 'Failed' ? 'failed to provision' : 'disappeared';
  return new StepFailedError(stage, {
    kind: 'permanent',
    code: s.state === 'Failed' ? 'ProvisioningFailed' : 'NotFound',
    message: `${s.id} ${why}${s.error ? ` (${s.error.code}: ${s.error.message})` : ''}`,
    target: s.id,
  });
}

/** Waits until every snapshot is provisioned with its data in place, at most until the deadline. */
export function* untilAllProvisioned(context: OrchestrationContext, ids: string[], deadlineMs: number) {
  let pending = ids;
  const deadline = nowMs(context) + deadlineMs;
  while (pending.length > 0 && nowMs(context) < deadline) {
    yield* sleep(context, PROVISIONING_POLL_MS);
    const states = yield* activities(context).getProvisioning.each(pending.map((id) => ({ id })));
    const failure = states.map((s) => provisioningFailed('snapshot', s)).find((f) => f !== undefined);
    if (failure) throw failure;
    // A snapshot with a background copy (CopyStart, Premium SSD v2, Ultra) says Succeeded before its
    // data has arrived: it is usable only at completionPercent 100.
    pending = states
      .filter((s) => s.state !== 'Succeeded' || (s.completionPercent ?? 100) < 100)
      .map((s) => s.id);
  }
  if (pending.length > 0) throw provisioningTimedOut('snapshot', pending, deadlineMs);
}

/**
 * Calls an "ensure" step until what it ensures has finished provisioning, at most until the deadline:
 * `untilProvisioned(context, 'gallery', () => activities(context).ensureGallery(input), ms)`.
 */
export function* untilProvisioned(
  context: OrchestrationContext,
  stage: string,
  ensure: () => Generator<Task, ProvisioningState, unknown>,
  deadlineMs: number,
) {
  const deadline = nowMs(context) + deadlineMs;
  let state: ProvisioningState = yield* ensure();
  while (state.state !== 'Succeeded' && state.state !== 'Failed' && nowMs(context) < deadline) {
    yield* sleep(context, PROVISIONING_POLL_MS);
    state = yield* ensure();
  }
  const failure = provisioningFailed(stage, state);
  if (failure) throw failure;
  if (state.state !== 'Succeeded') throw provisioningTimedOut(stage, [state.id], deadlineMs);
}
