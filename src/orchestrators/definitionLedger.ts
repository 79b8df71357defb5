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
import { asStepError } from './steps';
import { countedActivities, ExecutionBudget, type LedgerActivities } from './ledgerBudget';

/**
 * What one execution handles before it continues as new, whichever comes first: requests, or history
 * events as the code schedules them (about ten a request). Under the 80 or so of a pipeline, so a
 * ledger's replay costs no more than a pipeline's, however many builds it serves.
 */
const OPS_PER_EXECUTION = 4;
const EVENTS_PER_EXECUTION = 40;
/**
 * Requests carried to the next execution at most. Reading one costs a timer and its turn; under a
 * stream that lands one more in every turn, reading all would never end. Past it, what is still in the
 * inbox waits there for the next execution; only a request delivered with the last read is dropped
 * (its sender sends it again).
 */
const CARRIED_MAX = 16;
/**
 * While it holds leases, how long the ledger waits idle before it continues as new, and so checks its
 * holders again (every execution that starts with leases does): a terminated build never releases.
 */
const HOLDER_CHECK_MS = 15 * 60_000;

/** The ledger's input: its state, and requests the previous execution read but left to this one. */
type LedgerInput = LedgerState & { carried?: LedgerOp[] };

/**
 * One instance per image definition (a singleton: its id is derived from the definition), taking
 * operations one at a time from external events: allocate and lease versions, run retention with
 * the leases protected, release. Running them in turn is what keeps concurrent builds of one
 * definition from racing each other; it is the pre-entity Durable pattern (eternal singleton
 * orchestration fed by external events) and works the same on the Azure extension.
 */
export const definitionLedger: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { carried = [], ...state } = context.df.getInput() as LedgerInput;
  const budget = new ExecutionBudget(OPS_PER_EXECUTION, EVENTS_PER_EXECUTION);
  const calls = countedActivities(context, budget);
  if (Object.keys(state.leases).length > 0) yield* dropFinished(calls, state, Object.keys(state.leases));
  yield* runOwedRetention(context, calls, state);
  const owed = [...carried];
  while (owed.length > 0 && !budget.spent) {
    budget.read();
    yield* answer(context, calls, state, owed.shift()!);
  }
  while (!budget.spent) {
    context.df.setCustomStatus(ledgerStatus(state));
    const next = yield* nextRequest(context, state, budget);
    if (next === undefined) break; // idle with leases: continue as new, which checks the holders
    budget.read();
    yield* answer(context, calls, state, next);
  }
  context.df.setCustomStatus(ledgerStatus(state));
  // Requests already read into this execution's history would go with it: carry them to the next.
  if (budget.spent) owed.push(...(yield* landedRequests(context, Math.max(4, CARRIED_MAX - owed.length))));
  context.df.continueAsNew({ ...state, ...(owed.length > 0 ? { carried: owed } : {}) } satisfies LedgerInput);
  return undefined;
};

/**
 * The next request; undefined when the ledger, holding leases, has been idle for HOLDER_CHECK_MS and
 * nothing landed with the timer.
 */
function* nextRequest(context: OrchestrationContext, state: LedgerState, budget: ExecutionBudget) {
  const next = context.df.waitForExternalEvent(LEDGER_OP_EVENT);
  if (Object.keys(state.leases).length === 0) {
    yield next;
    return next.result as LedgerOp;
  }
  const idle = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + HOLDER_CHECK_MS));
  budget.task();
  const winner = (yield context.df.Task.any([next, idle])) as unknown;
  if (winner !== next && !(yield* landedLate(context, next))) return undefined;
  if (!idle.isCompleted) idle.cancel();
  return next.result as LedgerOp;
}

/** Handles one request and answers its sender. The ledger never fails: the sender gets the reason. */
function* answer(context: OrchestrationContext, calls: LedgerActivities, state: LedgerState, op: LedgerOp) {
  let reply: unknown;
  try {
    reply = yield* handle(context, calls, state, op);
  } catch (error) {
    reply = { ok: false, reason: asStepError(op.kind, error).message } satisfies LeaseReply;
  }
  if (!op.reply) return;
  try {
    yield* calls.replyToInstance({ instanceId: op.from, eventName: op.reply, data: reply });
  } catch {
    // The sender re-sends when no reply comes; the ledger must outlive one lost answer.
  }
}

/**
 * The requests (`atMost`) that have landed in this execution's history and not been read, in arrival
 * order. They are read, not handled (handling schedules work, and the history would grow with the
 * backlog), so that the continue-as-new carries them. A request raised after the last check goes to the
 * next execution (the engine and Azure keep undelivered client events across continue-as-new); one
 * fetched with the last settle timer itself, or delivered past `atMost`, is dropped, and its sender
 * sends it again.
 */
function* landedRequests(context: OrchestrationContext, atMost: number) {
  const landed: LedgerOp[] = [];
  while (landed.length < atMost) {
    const next = context.df.waitForExternalEvent(LEDGER_OP_EVENT);
    if (!(yield* landedLate(context, next))) return landed;
    landed.push(next.result as LedgerOp);
  }
  return landed;
}

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

function* handle(context: OrchestrationContext, calls: LedgerActivities, state: LedgerState, op: LedgerOp) {
  switch (op.kind) {
    case 'lease': {
      // Before refusing a version, make sure its holder still runs (a terminated one never releases).
      const holder = conflictingHolder(state, op);
      if (holder) yield* dropFinished(calls, state, [holder]);
      // Only "auto" needs the existing versions; an explicit one is checked against the leases here
      // and against the gallery by preflight.
      const held = state.leases[op.from];
      if ((held && held.execution === op.execution && !renewing(held, op)) || op.version !== 'auto')
        return grantLease(state, op, []);
      const names = yield* calls.listVersionNames({ definitionId: state.definitionId });
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
      return { ok: true, actions: run ? yield* retain(calls, state, run) : [], deferred: !run };
    }
    case 'release': {
      releaseLease(state, op.from, op.execution);
      yield* runOwedRetention(context, calls, state);
      return { ok: true };
    }
  }
}

/** Asks the Durable client which `holders` still run, and drops the leases of the rest. */
function* dropFinished(calls: LedgerActivities, state: LedgerState, holders: string[]) {
  const statuses = yield* calls.instanceStatuses({ instanceIds: holders });
  return dropFinishedHolders(state, statuses);
}

function* runOwedRetention(context: OrchestrationContext, calls: LedgerActivities, state: LedgerState) {
  if (!state.owedRetention) return;
  const run = retentionToRun(state, undefined, context.df.currentUtcDateTime.getTime());
  if (run) yield* retain(calls, state, run);
}

/**
 * Retention with every account the definition was ever built for (a pool in any of them may use an
 * older version), after dropping leases of finished holders (they would keep versions forever).
 */
function* retain(calls: LedgerActivities, state: LedgerState, run: RetentionParams) {
  const holders = Object.keys(state.leases);
  if (holders.length > 0) yield* dropFinished(calls, state, holders);
  rememberAccounts(state, run.accounts);
  return yield* calls.applyRetention({
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
