import type { OrchestrationContext, TimerTask } from 'durable-functions';
import type { LeaseReply, LedgerOp } from '../domain/ledger';
import { activities, StepFailedError } from './steps';

/**
 * First wait for the ledger's answer before sending again; doubles up to the maximum, about two days in
 * all before the build gives up. A request is lost only when it lands in the same batch as the ledger's
 * continue-as-new. Not shorter: a re-send is one more operation in the ledger's queue, and a definition
 * with many builds in flight would re-send faster than it answers (measured: at 10 minutes, a 50-build
 * burst in the bench re-sent itself into giving up).
 */
const RESEND_FIRST_MS = 3_600_000;
const RESEND_MAX_MS = 8 * 3_600_000;
const MAX_SENDS = 8;

type Request = LedgerOp extends infer O ? (O extends LedgerOp ? Omit<O, 'from' | 'reply'> : never) : never;

/**
 * Asks the definition's ledger and waits for its answer. Operations are idempotent, so when no answer
 * comes (an event dropped while the ledger continued as new) the same operation is sent again.
 */
export function* askLedger<T>(context: OrchestrationContext, definitionId: string, request: Request) {
  const replyName = `bif-ledger-reply-${request.kind}`;
  const op = { ...request, from: context.df.instanceId, reply: replyName } as LedgerOp;
  let waitMs = RESEND_FIRST_MS;
  for (let sends = 1; ; sends++) {
    yield* activities(context).sendToLedger({ definitionId, op });
    const reply = context.df.waitForExternalEvent(replyName);
    const timer: TimerTask = context.df.createTimer(
      new Date(context.df.currentUtcDateTime.getTime() + waitMs),
    );
    const winner = (yield context.df.Task.any([reply, timer])) as unknown;
    if (winner === reply) {
      timer.cancel();
      return reply.result as T;
    }
    if (sends >= MAX_SENDS)
      throw new StepFailedError('ledger', {
        kind: 'transient',
        code: 'LedgerNoAnswer',
        message: `The ledger of ${definitionId} did not answer "${request.kind}" after ${sends} sends.`,
      });
    waitMs = Math.min(waitMs * 2, RESEND_MAX_MS);
  }
}

/** A one-way operation (release): the ledger answers nobody. */
export function* tellLedger(context: OrchestrationContext, definitionId: string, request: Request) {
  yield* activities(context).sendToLedger({
    definitionId,
    op: { ...request, from: context.df.instanceId } as LedgerOp,
  });
}

/** The definition of a version id (…/images/{name}/versions/{version}) and the version's name. */
function versionParts(versionId: string) {
  return {
    definitionId: versionId.replace(/\/versions\/[^/]+\/?$/i, ''),
    version: versionId.split('/').at(-1)!,
  };
}

/**
 * A shared lease on a version that exists (a rollout of it): retention leaves it alone meanwhile, and
 * other rollouts of it are not refused. `execution` is the caller's execution stamp.
 */
export function* leaseExistingVersion(context: OrchestrationContext, versionId: string, execution: string) {
  const { definitionId, version } = versionParts(versionId);
  return yield* askLedger<LeaseReply>(context, definitionId, {
    kind: 'lease',
    execution,
    version,
    shared: true,
  });
}

/** Gives the lease back; never fails the caller (the ledger drops it once the caller has finished). */
export function* releaseVersion(context: OrchestrationContext, versionId: string, execution: string) {
  try {
    yield* tellLedger(context, versionParts(versionId).definitionId, { kind: 'release', execution });
  } catch {
    // A lease left behind is dropped by the ledger's holder check once the caller has finished.
  }
}
