import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import {
  conflictingHolder,
  dropFinishedHolders,
  grantLease,
  leasedVersionIds,
  leasesShown,
  LEDGER_OP_EVENT,
  releaseLease,
  renewing,
  rememberAccounts,
  type LeaseReply,
  type LedgerOp,
  type LedgerState,
  type RetentionParams,
  retentionToRun,
} from '../domain/ledger';
import { activities, asStepError } from './steps';

/** Operations per execution before continue-as-new keeps the history (and each replay) short. */
const OPS_PER_EXECUTION = 20;
/**
 * While it holds leases, how long the ledger waits idle before it continues as new, and so checks its
 * holders again (every execution that starts with leases does): a terminated build never releases.
 */
const HOLDER_CHECK_MS = 15 * 60_000;

/**
 * One instance per image definition (a singleton: its id is derived from the definition), taking
 * operations one at a time from external events: allocate and lease versions, run retention with
 * the leases protected, release. Running them in turn is what keeps concurrent builds of one
 * definition from racing each other; it is the pre-entity Durable pattern (eternal singleton
 * orchestration fed by external events) and works the same on the Azure extension.
 */
export const definitionLedger: OrchestrationHandler = function* (context: OrchestrationContext) {
  const state = context.df.getInput() as LedgerState;
  if (Object.keys(state.leases).length > 0) yield* dropFinished(context, state, Object.keys(state.leases));
  yield* runOwedRetention(context, state);
  for (let handled = 0; ; handled++) {
    context.df.setCustomStatus(ledgerStatus(state));
    const next = context.df.waitForExternalEvent(LEDGER_OP_EVENT);
    if (handled >= OPS_PER_EXECUTION) {
      // Bounded history even under constant load (a ledger that waited to be idle never continued as
      // new in a burst, and its replays grew with every operation): answer what the current batch
      // already holds, then continue as new; requests raised later go to the next execution.
      if (!(yield* landedLate(context, next))) break;
    } else if (Object.keys(state.leases).length > 0) {
      // Idle with leases: continue as new after a while, which checks the holders again.
      const idle = context.df.createTimer(
        new Date(context.df.currentUtcDateTime.getTime() + HOLDER_CHECK_MS),
      );
      const winner = (yield context.df.Task.any([next, idle])) as unknown;
      if (winner !== next && !(yield* landedLate(context, next))) break;
      if (!idle.isCompleted) idle.cancel();
    } else {
      yield next;
    }
    const op = next.result as LedgerOp;
    let reply: unknown;
    try {
      reply = yield* handle(context, state, op);
    } catch (error) {
      // The ledger never fails: the sender gets the reason and decides.
      reply = { ok: false, reason: asStepError(op.kind, error).message } satisfies LeaseReply;
    }
    if (op.reply) {
      try {
        yield* activities(context).replyToInstance({
          instanceId: op.from,
          eventName: op.reply,
          data: reply,
        });
      } catch {
        // The sender re-sends when no reply comes; the ledger must outlive one lost answer.
      }
    }
  }
  // A request raised after this turn goes to the next execution; one fetched with the settle timer
  // itself is dropped (the library never reads past the continue-as-new): its sender sends it again.
  context.df.continueAsNew(state);
  return undefined;
};

/**
 * Whether a request fetched in the same batch as the idle timer has landed. Azure appends a whole batch
 * to the history, but the library resumes the code at the timer, before it reads the events after it;
 * continuing as new there would drop them. One more wait on a timer already due lets the rest of the
 * batch be read first.
 */
function* landedLate(context: OrchestrationContext, next: Task) {
  const settle = context.df.createTimer(context.df.currentUtcDateTime);
  const late = (yield context.df.Task.any([next, settle])) as unknown;
  if (late === next) settle.cancel();
  return late === next;
}

function* handle(context: OrchestrationContext, state: LedgerState, op: LedgerOp) {
  switch (op.kind) {
    case 'lease': {
      // Before refusing a version, make sure its holder still runs (a terminated one never releases).
      const holder = conflictingHolder(state, op);
      if (holder) yield* dropFinished(context, state, [holder]);
      // Only "auto" needs the existing versions; an explicit one is checked against the leases here
      // and against the gallery by preflight.
      const held = state.leases[op.from];
      if ((held && held.execution === op.execution && !renewing(held, op)) || op.version !== 'auto')
        return grantLease(state, op, []);
      const names = yield* activities(context).listVersionNames({
        definitionId: state.definitionId,
      });
      return grantLease(state, op, names);
    }
    case 'retention': {
      if (op.release) releaseLease(state, op.from, op.execution);
      rememberAccounts(state, op.accounts);
      const run = retentionToRun(
        state,
        { keepVersions: op.keepVersions, accounts: op.accounts },
        context.df.currentUtcDateTime.getTime(),
      );
      return { ok: true, actions: run ? yield* retain(context, state, run) : [], deferred: !run };
    }
    case 'release': {
      releaseLease(state, op.from, op.execution);
      yield* runOwedRetention(context, state);
      return { ok: true };
    }
  }
}

/** Asks the Durable client which `holders` still run, and drops the leases of the rest. */
function* dropFinished(context: OrchestrationContext, state: LedgerState, holders: string[]) {
  const statuses = yield* activities(context).instanceStatuses({
    instanceIds: holders,
  });
  return dropFinishedHolders(state, statuses);
}

function* runOwedRetention(context: OrchestrationContext, state: LedgerState) {
  if (!state.owedRetention) return;
  const run = retentionToRun(state, undefined, context.df.currentUtcDateTime.getTime());
  if (run) yield* retain(context, state, run);
}

/**
 * Retention with every account the definition was ever built for (a pool in any of them may use an
 * older version), after dropping leases of finished holders (they would keep versions forever).
 */
function* retain(context: OrchestrationContext, state: LedgerState, run: RetentionParams) {
  const holders = Object.keys(state.leases);
  if (holders.length > 0) yield* dropFinished(context, state, holders);
  rememberAccounts(state, run.accounts);
  return yield* activities(context).applyRetention({
    definitionId: state.definitionId,
    keepVersions: run.keepVersions,
    accounts: state.accounts ?? run.accounts,
    leasedVersionIds: leasedVersionIds(state),
  });
}

/** Leases listed in the status; the rest are counted (custom status must stay far under 16 KB). */
const STATUS_LEASES = 20;

/** What the ledger shows: bounded whatever the burst, since an oversized status fails the instance. */
function ledgerStatus(state: LedgerState) {
  const leases = Object.entries(state.leases);
  return {
    definitionId: state.definitionId,
    leaseCount: leases.length,
    // The newest leases: with the last execution's input they are what a rebuilt ledger starts from.
    leases: leasesShown(state, STATUS_LEASES),
    highestAllocated: state.highestAllocated,
    retentionOwed: state.owedRetention !== undefined,
  };
}
