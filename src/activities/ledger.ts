import type { Services } from './services';
import type { InstancesPort } from '../ports';
import { PermanentError, TransientError } from '../domain/errors';
import { isAlive } from '../domain/runtimeStatus';
import { ORCHESTRATORS } from '../domain/pipeline';
import { foldBuilds } from '../domain/ledgerBuilds';
import {
  emptyLedger,
  LEDGER_OP_EVENT,
  ledgerInstanceId,
  rebuildLedger,
  type LedgerOp,
} from '../domain/ledger';

/**
 * The messaging around a definition's ledger. Orchestrators cannot raise events to each other in the
 * Node SDK; an activity with a Durable client can (Azure: an activity with a durableClient input).
 */
function instancesOf(s: Services): InstancesPort {
  if (!s.instances)
    throw new PermanentError(
      'This activity needs a Durable client; register it with a durableClient input binding.',
      'NoDurableClient',
    );
  return s.instances;
}

/**
 * Starts the definition's ledger when it does not run, then hands it the operation. A ledger that
 * failed or was terminated is started again from what it last held (rebuildLedger), not empty.
 */
export async function sendToLedger(
  s: Services,
  input: { definitionId: string; op: LedgerOp },
): Promise<{ ledgerId: string }> {
  const instances = instancesOf(s);
  const ledgerId = ledgerInstanceId(input.definitionId);
  const status = await instances.runtimeStatus(ledgerId);
  if (!isAlive(status)) {
    const state = status
      ? await rebuiltLedger(instances, input.definitionId, ledgerId)
      : await ledgerWithoutRecord(s, instances, input.definitionId);
    await instances.start(ORCHESTRATORS.definitionLedger, ledgerId, state);
  }
  if (!(await instances.raiseEvent(ledgerId, LEDGER_OP_EVENT, input.op)))
    throw new TransientError(`The ledger ${ledgerId} is not running yet; retrying.`, 'LedgerNotRunning');
  return { ledgerId };
}

/**
 * A ledger that failed or was terminated, rebuilt from its last input and custom status (Azure Storage
 * keeps none after a terminate), plus what every listed build of the definition shows: the accounts
 * they named, the versions running ones hold (foldBuilds).
 */
async function rebuiltLedger(instances: InstancesPort, definitionId: string, ledgerId: string) {
  const state = rebuildLedger(definitionId, await instances.lastState(ledgerId));
  foldBuilds(state, await instances.listAll());
  return state;
}

/**
 * A ledger with no earlier instance: the first one of the definition, or one whose predecessor was
 * purged. Only the builds still listed tell which accounts may use its versions; a version a factory
 * build no longer listed made is kept from retention (foldBuilds).
 */
async function ledgerWithoutRecord(s: Services, instances: InstancesPort, definitionId: string) {
  const state = emptyLedger(definitionId);
  const versions = await s.gallery.listVersions(definitionId);
  foldBuilds(state, await instances.listAll(), versions);
  return state;
}

/** The ledger's answer to a pipeline; a pipeline that no longer runs needs none. */
export async function replyToInstance(
  s: Services,
  input: { instanceId: string; eventName: string; data: unknown },
): Promise<{ delivered: boolean }> {
  return { delivered: await instancesOf(s).raiseEvent(input.instanceId, input.eventName, input.data) };
}

/** Version names of a definition, none when it does not exist yet (the port's contract). */
export async function listVersionNames(s: Services, input: { definitionId: string }): Promise<string[]> {
  return (await s.gallery.listVersions(input.definitionId)).map((v) => v.name);
}

/**
 * Runtime status of each instance (undefined when it does not exist): the ledger drops the leases of
 * holders that have finished. Missing keys would read as "gone", so every id is answered.
 */
export async function instanceStatuses(
  s: Services,
  input: { instanceIds: string[] },
): Promise<Record<string, string | undefined>> {
  const instances = instancesOf(s);
  const out: Record<string, string | undefined> = {};
  for (const id of input.instanceIds) out[id] = (await instances.runtimeStatus(id)) ?? 'Missing';
  return out;
}
