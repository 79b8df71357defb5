import type { OrchestrationContext } from 'durable-functions';
import { activities } from './steps';

/**
 * What one execution of the ledger may spend before it continues as new: every turn replays the whole
 * history, so a ledger under constant load whose execution never ended made each of its turns slower
 * than the last (702 events in the 200-pipeline bench). The events are counted as the code schedules
 * them, the same on every replay, so the decision to continue is deterministic.
 */
export class ExecutionBudget {
  private ops = 0;
  /** ExecutionStarted and the first OrchestratorStarted. */
  private events = 2;

  constructor(
    private readonly maxOps: number,
    private readonly maxEvents: number,
  ) {}

  /** A request read: its EventRaised and the OrchestratorStarted of the turn it came in. */
  read(): void {
    this.ops += 1;
    this.events += 2;
  }

  /** An activity call or a timer: its scheduling event, then the turn and the event that answer it. */
  task(): void {
    this.events += 3;
  }

  get spent(): boolean {
    return this.ops >= this.maxOps || this.events >= this.maxEvents;
  }

  /** Events counted so far (for tests and the status). */
  get eventCount(): number {
    return this.events;
  }
}

/** Counts a call before making it. */
function counted<A extends unknown[], R>(budget: ExecutionBudget, stub: (...args: A) => R) {
  return (...args: A): R => {
    budget.task();
    return stub(...args);
  };
}

/** The activities the ledger calls, each call counted against `budget`. */
export function countedActivities(context: OrchestrationContext, budget: ExecutionBudget) {
  const all = activities(context);
  return {
    replyToInstance: counted(budget, all.replyToInstance),
    listVersionNames: counted(budget, all.listVersionNames),
    instanceStatuses: counted(budget, all.instanceStatuses),
    applyRetention: counted(budget, all.applyRetention),
  };
}

export type LedgerActivities = ReturnType<typeof countedActivities>;
