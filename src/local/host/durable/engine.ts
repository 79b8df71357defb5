import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { activityTaskFailure } from './activityFailure';
import { DurableStore, type ActivityRow, type InstanceRow, type RuntimeStatus } from './store';
import {
  ActionType,
  EventType,
  describeAction,
  encode,
  flattenActions,
  historyEvent,
  sameAction,
  takesTaskId,
  type Action,
  type HistoryEvent,
} from './history';
import { customStatusViolation } from './customStatusLimit';
import { turnBatch, type InboxMessage } from './inboxBatch';
import { instanceIdProblem } from '../../../domain/instanceId';
import { readFailure, type OrchestratorAnswer } from './orchestratorAnswer';
import { isTerminal, TERMINAL_STATUSES } from './runtimeStatus';

export type OrchestratorHandler = (trigger: unknown, context: InvocationContext) => Promise<unknown>;
type ActivityHandler = (input: unknown, context: InvocationContext) => Promise<unknown>;

export interface EngineClock {
  nowMs(): number;
  /** Calls back when simulated time reaches `ms`; returns a cancel function. */
  at(ms: number, callback: () => void): () => void;
}

interface EngineOptions {
  /** SQLite file (":memory:" for tests). */
  dbPath: string;
  clock: EngineClock;
  maxConcurrentActivities?: number;
  maxConcurrentOrchestrations?: number;
  log?: (message: string) => void;
}

export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: unknown[];
}

export class InstanceExistsError extends Error {}

/** Figures for benchmarks. */
interface EngineStats {
  turns: number;
  /** The orchestrator handler's replay of each turn. */
  turnMs: number[];
  /** Each turn end to end: reading its state, the replay, and the commit. */
  wholeTurnMs: number[];
  /** Each activity's run, real ms: at a fast clock, simulated time the step did not take in Azure. */
  activityMs: number[];
  /** The longest history any turn replayed (an execution's, so a ledger's peak counts, not its last). */
  maxHistory: { events: number; instanceId: string };
}

/** One turn being committed: the history it appends and the task ids it hands out. */
interface Turn {
  row: InstanceRow;
  now: number;
  /** OrchestratorStarted, the event the turn consumed, then what its actions and retries record. */
  events: HistoryEvent[];
  nextTaskId: number;
  continueAsNew?: Action;
}

/**
 * A Durable Task engine for the embedded host: it replays orchestrators through the durable-functions
 * library's own handler, keeps history in SQLite, runs activities (with RetryOptions), timers on the
 * shared clock, sub-orchestrations, external events, continueAsNew, terminate and purge — and fails an
 * instance whose replay schedules something other than its history recorded.
 */
export class DurableEngine {
  readonly store: DurableStore;
  readonly stats: EngineStats = {
    turns: 0,
    turnMs: [],
    wholeTurnMs: [],
    activityMs: [],
    maxHistory: { events: 0, instanceId: '' },
  };
  private readonly orchestrators = new Map<string, OrchestratorHandler>();
  private readonly activityHandlers = new Map<string, ActivityHandler>();
  private readonly busyInstances = new Set<string>();
  private runningActivities = 0;
  private running = false;
  private pumping = false;
  private again = false;
  private cancelTimer?: () => void;
  /** The instant the clock alarm is armed for: re-armed only when the earliest timer changes. */
  private armedAt?: number;
  private tick?: NodeJS.Timeout;
  /** waitFor callers by instance: a turn wakes only the callers of the instance it changed. */
  private readonly waiters = new Map<string, Set<() => void>>();
  /** What the last pump saw: see `idle`. */
  private idleNow = true;
  private readonly idleListeners = new Set<(idle: boolean) => void>();
  /**
   * Turns run one after another. A replay is synchronous CPU work on the one JS thread, so starting ten at
   * once bought no parallelism: each turn's commit waited behind the other nine replays.
   */
  private turnChain: Promise<void> = Promise.resolve();
  private readonly maxActivities: number;
  private readonly maxOrchestrations: number;
  private readonly log: (message: string) => void;

  constructor(private readonly options: EngineOptions) {
    this.store = new DurableStore(options.dbPath);
    this.maxActivities = options.maxConcurrentActivities ?? 10;
    this.maxOrchestrations = options.maxConcurrentOrchestrations ?? 10;
    this.log = options.log ?? (() => undefined);
  }

  registerOrchestrator(name: string, handler: OrchestratorHandler): void {
    this.orchestrators.set(name.toLowerCase(), handler);
  }

  registerActivity(name: string, handler: ActivityHandler): void {
    this.activityHandlers.set(name.toLowerCase(), handler);
  }

  /**
   * No turn in progress, no activity running, and nothing ready to run: no inbox event visible now, no
   * activity waiting for a slot (the pump starts every ready one while slots are free, so "none running"
   * after a pump means "none ready"). Only future timers remain. Read from the counters the pump keeps,
   * decided at the end of each pump: a turn or an activity that just ended leaves the engine busy until
   * the pump it schedules has looked for what it made ready. A stopped engine is idle.
   */
  get idle(): boolean {
    return this.idleNow;
  }

  /** Calls `listener` on every busy→idle and idle→busy change; returns a function that stops it. */
  onIdleChange(listener: (idle: boolean) => void): () => void {
    this.idleListeners.add(listener);
    return () => this.idleListeners.delete(listener);
  }

  start(): void {
    this.running = true;
    // A slow heartbeat catches anything a notification missed (e.g. work written by a previous run).
    this.tick = setInterval(() => this.pump(), 250);
    this.tick.unref();
    this.pump();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.tick) clearInterval(this.tick);
    this.cancelTimer?.();
    const deadline = Date.now() + 10_000;
    while ((this.busyInstances.size > 0 || this.runningActivities > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    this.store.close();
    this.settleIdle();
  }

  // ---- client API -------------------------------------------------------------------------------

  startNew(name: string, instanceId: string, input: unknown): string {
    if (!this.orchestrators.has(name.toLowerCase()))
      throw new Error(`No orchestrator named ${name} is registered.`);
    validateInstanceId(instanceId);
    this.store.transaction(() => {
      const existing = this.store.instance(instanceId);
      if (existing && !isTerminal(existing.status))
        throw new InstanceExistsError(
          `An instance with ID '${instanceId}' already exists and is ${existing.status}.`,
        );
      if (existing) this.store.purge(instanceId);
      this.createInstance(name, instanceId, input);
    });
    this.notify(instanceId);
    this.pump();
    return instanceId;
  }

  status(
    instanceId: string,
    options: { showHistory?: boolean; showInput?: boolean } = {},
  ): InstanceStatus | undefined {
    const row = this.store.instance(instanceId);
    return row ? this.toStatus(row, options) : undefined;
  }

  list(filter: { runtimeStatus?: string[] } = {}): InstanceStatus[] {
    return this.store
      .list()
      .filter((r) => !filter.runtimeStatus?.length || filter.runtimeStatus.includes(r.status))
      .map((r) => this.toStatus(r, {}));
  }

  raiseEvent(instanceId: string, name: string, data: unknown): boolean {
    const status = this.store.statusOf(instanceId);
    if (!status || isTerminal(status)) return false;
    this.store.enqueue(
      instanceId,
      historyEvent(EventType.EventRaised, this.options.clock.nowMs(), { Name: name, Input: encode(data) }),
      this.options.clock.nowMs(),
    );
    this.pump();
    return true;
  }

  terminate(instanceId: string, reason: string): 'terminated' | 'not-running' | 'missing' {
    const row = this.store.instance(instanceId);
    if (!row) return 'missing';
    if (isTerminal(row.status)) return 'not-running';
    this.store.transaction(() => {
      this.store.clearWork(instanceId);
      this.store.updateInstance(instanceId, {
        status: 'Terminated',
        output: encode(reason) ?? null,
        updated_at: this.options.clock.nowMs(),
      });
      this.notifyParent(row, false, undefined, `Terminated: ${reason}`);
    });
    this.wake(instanceId);
    return 'terminated';
  }

  purge(instanceId: string): boolean {
    return this.store.transaction(() => this.store.purge(instanceId)) > 0;
  }

  /** Resolves when the instance reaches one of the given statuses (tests, CLI). */
  async waitFor(
    instanceId: string,
    statuses: readonly RuntimeStatus[] = TERMINAL_STATUSES,
    timeoutMs = 60_000,
  ): Promise<InstanceStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Only the runtime status decides; the whole status (input, output and custom status parsed) is
      // built once, for the answer: 200 waiters re-read on every turn of their instance.
      const runtimeStatus = this.store.statusOf(instanceId);
      if (runtimeStatus && statuses.includes(runtimeStatus)) return this.status(instanceId)!;
      if (Date.now() > deadline)
        throw new Error(
          `Timed out waiting for ${instanceId} to reach ${statuses.join('/')} (it is ${runtimeStatus ?? 'missing'}).`,
        );
      await new Promise<void>((resolve) => {
        const mine = this.waiters.get(instanceId) ?? new Set<() => void>();
        this.waiters.set(instanceId, mine);
        const done = () => {
          mine.delete(done);
          if (mine.size === 0 && this.waiters.get(instanceId) === mine) this.waiters.delete(instanceId);
          resolve();
        };
        mine.add(done);
        // A slow re-check as a safety net; changes made by this engine wake the waiter at once.
        setTimeout(done, 1000).unref();
      });
    }
  }

  // ---- the work loop ----------------------------------------------------------------------------

  /** Starts whatever work is ready, up to the concurrency limits. Safe to call any time. */
  pump(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        const now = this.options.clock.nowMs();
        const slots = this.maxOrchestrations - this.busyInstances.size;
        if (slots > 0) {
          for (const id of this.store.readyInstances(now, slots + this.busyInstances.size)) {
            if (this.busyInstances.size >= this.maxOrchestrations) break;
            if (this.busyInstances.has(id)) continue;
            this.busyInstances.add(id);
            const turn = this.turnChain.then(() => this.runTurn(id));
            this.turnChain = turn.catch(() => undefined);
            void turn.finally(() => {
              this.busyInstances.delete(id);
              this.wake(id);
            });
          }
        }
        const activitySlots = this.maxActivities - this.runningActivities;
        if (activitySlots > 0) {
          for (const row of this.store.claimActivities(activitySlots)) {
            this.runningActivities += 1;
            void this.runActivity(row).finally(() => {
              this.runningActivities -= 1;
              this.wake();
            });
          }
        }
        this.armTimer();
      } while (this.again);
    } finally {
      this.pumping = false;
    }
    this.settleIdle();
  }

  private settleIdle(): void {
    const idle = !this.running || (this.busyInstances.size === 0 && this.runningActivities === 0);
    if (idle === this.idleNow) return;
    this.idleNow = idle;
    for (const listener of [...this.idleListeners]) listener(idle);
  }

  /** Schedules a pump and, when an instance changed, tells whoever waits for it. */
  private wake(instanceId?: string): void {
    if (instanceId !== undefined) this.notify(instanceId);
    setImmediate(() => this.pump());
  }

  private notify(instanceId: string): void {
    for (const waiter of [...(this.waiters.get(instanceId) ?? [])]) waiter();
  }

  /** Sleeps until the earliest future inbox event (a durable timer) on the shared clock. */
  private armTimer(): void {
    const next = this.store.nextTimerAt();
    const due = next !== undefined && next > this.options.clock.nowMs() ? next : undefined;
    if (due === this.armedAt && (due === undefined || this.cancelTimer)) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.armedAt = due;
    if (due !== undefined)
      this.cancelTimer = this.options.clock.at(due, () => {
        this.cancelTimer = undefined;
        this.armedAt = undefined;
        this.pump();
      });
  }

  private async runTurn(instanceId: string): Promise<void> {
    const begun = process.hrtime.bigint();
    const row = this.store.instance(instanceId);
    if (!row) return;
    // Every message waiting for the instance in one turn, as DTFx appends a fetched batch (turnBatch).
    const batch = turnBatch(this.currentMessages(row), (e) => this.ownsRetry(instanceId, e));
    const inboxIds = batch.map((m) => m.id);
    if (batch.length === 0) return;
    if (isTerminal(row.status)) {
      for (const id of inboxIds) this.store.deleteInbox(id); // late events for a finished instance
      return;
    }
    const handler = this.orchestrators.get(row.name.toLowerCase());
    if (!handler) {
      this.fail(row, inboxIds, [], `No orchestrator named ${row.name} is registered in this app.`);
      return;
    }
    const now = this.options.clock.nowMs();
    // Freshly decoded from SQLite (stored with IsPlayed set), so the library may mutate it freely.
    const history = this.store.history(instanceId);
    const newEvents = [
      historyEvent(EventType.OrchestratorStarted, now),
      ...batch.map((m) => ({ ...m.event, IsPlayed: false })),
    ];
    const started = process.hrtime.bigint();
    let answer: OrchestratorAnswer;
    try {
      answer = (await handler(
        {
          history: [...history, ...structuredClone(newEvents)], // the library mutates what it is given
          input: row.input === null ? undefined : JSON.parse(row.input),
          instanceId,
          isReplaying: history.length > 0,
          parentInstanceId: row.parent_id ?? undefined,
          upperSchemaVersion: 1,
          upperSchemaVersionNew: 2,
          maximumShortTimerDuration: '6.00:00:00',
          longRunningTimerIntervalDuration: '3.00:00:00',
          defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
        },
        new InvocationContext({
          invocationId: `${instanceId}:${history.length}`,
          functionName: row.name,
          logHandler: (_level, ...args) =>
            this.log(`[${row.name} ${instanceId}] ${args.map(String).join(' ')}`),
        }),
      )) as OrchestratorAnswer;
    } catch (error) {
      answer = readFailure(error);
    }
    this.stats.turns += 1;
    this.stats.turnMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (history.length + newEvents.length > this.stats.maxHistory.events)
      this.stats.maxHistory = { events: history.length + newEvents.length, instanceId };
    this.store.transaction(() => this.applyTurn(row, inboxIds, newEvents, answer));
    this.stats.wholeTurnMs.push(Number(process.hrtime.bigint() - begun) / 1e6);
  }

  /**
   * The instance's messages visible now, for its current execution. One stamped with another execution id
   * (an activity result, a timer, a child's answer for an execution that was terminated, restarted or
   * continued as new) is deleted and logged, as DTFx's TaskOrchestrationDispatcher drops a message whose
   * ExecutionId does not match (ReconcileMessagesWithState, "ExecutionIdMismatch"). Raised events carry
   * none and always stay. The same read the turn makes anyway: no extra query per turn.
   */
  private currentMessages(row: InstanceRow): InboxMessage[] {
    const pending = this.store.pendingInbox(row.id, this.options.clock.nowMs());
    const stale = pending.filter((m) => staleFor(row, m));
    if (stale.length === 0) return pending;
    this.store.transaction(() => {
      for (const m of stale) this.store.deleteInbox(m.id);
    });
    for (const m of stale) this.logDropped(row, m.event.EventType, m.executionId ?? '');
    return pending.filter((m) => !staleFor(row, m));
  }

  private logDropped(
    row: Pick<InstanceRow, 'id' | 'execution_id'>,
    eventType: number,
    executionId: string,
  ): void {
    const kind = Object.entries(EventType).find(([, v]) => v === eventType)?.[0] ?? `event ${eventType}`;
    this.log(
      `${row.id}: dropped ${kind} of execution ${executionId || '(before execution ids)'}: the current execution is ${row.execution_id || '(before execution ids)'}`,
    );
  }

  /** Commits one turn: history, new work for the actions the replay produced, and the instance state. */
  private applyTurn(
    row: InstanceRow,
    inboxIds: number[],
    newEvents: HistoryEvent[],
    answer: OrchestratorAnswer,
  ): void {
    // The instance was terminated (or restarted) while the replay ran: the answer is the old execution's.
    if (this.store.executionOf(row.id)?.execution_id !== row.execution_id) {
      this.log(
        `${row.id}: the turn of execution ${row.execution_id} ended after a new execution began: dropped`,
      );
      return;
    }
    const recorded = this.store.actions(row.id);
    const replayed = flattenActions(answer.actions);
    // As in Azure, an oversized custom status fails the instance before any of this turn's actions run.
    const refusal =
      customStatusViolation(row.name, answer.customStatus, answer.error !== undefined) ??
      nondeterminism(recorded, replayed);
    if (refusal) {
      this.fail(row, inboxIds, newEvents, refusal);
      return;
    }
    for (const inboxId of inboxIds) this.store.deleteInbox(inboxId);
    const turn: Turn = {
      row,
      now: this.options.clock.nowMs(),
      events: [...newEvents],
      nextTaskId: row.next_task_id,
    };
    this.continueRetries(turn, newEvents[1]!); // a retry's event comes alone (turnBatch)
    const fresh = replayed.slice(recorded.length);
    for (const action of fresh) this.applyAction(turn, action);
    this.store.appendActions(row.id, recorded.length, fresh);
    this.store.appendHistory(row.id, turn.events);
    this.endTurn(turn, answer);
  }

  /** One method per action kind, as durabletask-js's in-memory backend processes its actions. */
  private applyAction(turn: Turn, action: Action): void {
    const taskId = takesTaskId(action) ? turn.nextTaskId++ : -1;
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry:
        return this.scheduleActivity(turn, action, taskId);
      case ActionType.CreateTimer:
        return this.createTimer(turn, new Date(action.fireAt as string).getTime(), taskId);
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry:
        return this.callSubOrchestration(turn, action, taskId);
      case ActionType.ContinueAsNew:
        // Applied when the turn ends, after the rest of its actions are recorded.
        turn.continueAsNew = action;
        return;
      default:
        return; // WaitForExternalEvent: raiseEvent delivers the event; nothing to schedule
    }
  }

  private scheduleActivity(turn: Turn, action: Action, taskId: number): void {
    const retry =
      action.actionType === ActionType.CallActivityWithRetry ? JSON.stringify(action.retryOptions) : null;
    this.addTask(turn, taskId, action.functionName!, encode(activityInput(action.input)), 1, retry);
  }

  /** A TaskScheduled event and the activity work it stands for. */
  private addTask(
    turn: Turn,
    taskId: number,
    name: string,
    input: string | undefined,
    attempt: number,
    retry: string | null,
  ): void {
    turn.events.push(historyEvent(EventType.TaskScheduled, turn.now, { Name: name, Input: input }, taskId));
    this.store.addActivity({
      instance_id: turn.row.id,
      task_id: taskId,
      name,
      input: input ?? null,
      attempt,
      retry,
      execution_id: turn.row.execution_id,
    });
  }

  /** A TimerCreated event now, and its TimerFired waiting in the inbox until `fireAt`. */
  private createTimer(turn: Turn, fireAt: number, timerId: number): void {
    const fireAtText = new Date(fireAt).toISOString();
    turn.events.push(historyEvent(EventType.TimerCreated, turn.now, { FireAt: fireAtText }, timerId));
    this.store.enqueue(
      turn.row.id,
      historyEvent(EventType.TimerFired, fireAt, { TimerId: timerId, FireAt: fireAtText }),
      fireAt,
      turn.row.execution_id,
    );
  }

  private callSubOrchestration(turn: Turn, action: Action, taskId: number): void {
    const childId = action.instanceId ?? `${turn.row.id}:${taskId}`;
    turn.events.push(
      historyEvent(
        EventType.SubOrchestrationInstanceCreated,
        turn.now,
        { Name: action.functionName, InstanceId: childId, Input: encode(action.input) },
        taskId,
      ),
    );
    this.startChild(action.functionName!, childId, action.input, {
      id: turn.row.id,
      taskId,
      executionId: turn.row.execution_id,
    });
  }

  /**
   * Retries the extension would do: a failed attempt of a task with RetryOptions is followed by a
   * timer (the library numbers it next), and when that fires, by the next attempt.
   */
  private continueRetries(turn: Turn, consumed: HistoryEvent): void {
    if (consumed.EventType === EventType.TaskFailed) this.scheduleRetryTimer(turn, consumed);
    else if (consumed.EventType === EventType.TimerFired) this.retryAfterTimer(turn, consumed);
  }

  private scheduleRetryTimer(turn: Turn, consumed: HistoryEvent): void {
    const failed = this.store.takeFailedAttempt(turn.row.id, consumed.TaskScheduledId as number);
    if (!failed) return;
    const retry = JSON.parse(failed.retry) as NonNullable<Action['retryOptions']>;
    const timerId = turn.nextTaskId++;
    const exhausted = failed.attempt >= retry.maxNumberOfAttempts;
    this.createTimer(turn, turn.now + (exhausted ? 0 : retryDelay(retry, failed.attempt)), timerId);
    if (!exhausted)
      this.store.addRetryTimer({
        instance_id: turn.row.id,
        timer_id: timerId,
        name: failed.name,
        input: failed.input,
        attempt: failed.attempt + 1,
        retry: failed.retry,
      });
  }

  private retryAfterTimer(turn: Turn, consumed: HistoryEvent): void {
    const retryTimer = this.store.takeRetryTimer(turn.row.id, consumed.TimerId as number);
    if (!retryTimer) return;
    const taskId = turn.nextTaskId++;
    this.addTask(
      turn,
      taskId,
      retryTimer.name,
      retryTimer.input ?? undefined,
      retryTimer.attempt,
      retryTimer.retry,
    );
  }

  /** The instance state after the turn: failed, continued as new, completed, or still running. */
  private endTurn(turn: Turn, answer: OrchestratorAnswer): void {
    const custom = this.customStatusAfter(turn.row, answer);
    if (answer.error !== undefined) this.failExecution(turn, answer.error, custom);
    else if (turn.continueAsNew && answer.isDone) this.continueAsNew(turn, turn.continueAsNew, custom);
    else if (answer.isDone) this.completeExecution(turn, answer.output, custom);
    else
      this.store.updateInstance(turn.row.id, {
        status: 'Running',
        custom_status: custom,
        next_task_id: turn.nextTaskId,
        updated_at: turn.now,
      });
  }

  /** A turn that sets no custom status keeps the one an earlier turn set. */
  private customStatusAfter(row: InstanceRow, answer: OrchestratorAnswer): string | null {
    return answer.customStatus === undefined ? row.custom_status : (encode(answer.customStatus) ?? null);
  }

  private failExecution(turn: Turn, error: string, custom: string | null): void {
    this.store.appendHistory(turn.row.id, [
      historyEvent(EventType.ExecutionFailed, turn.now, { Reason: error }),
    ]);
    this.finish(turn.row, 'Failed', encode(error) ?? null, custom, false, error);
  }

  private completeExecution(turn: Turn, output: unknown, custom: string | null): void {
    this.store.appendHistory(turn.row.id, [
      historyEvent(EventType.ExecutionCompleted, turn.now, { Result: encode(output) }),
    ]);
    this.finish(turn.row, 'Completed', encode(output) ?? null, custom, true, encode(output));
  }

  /** A new execution of the same instance: fresh history and task ids, the new input, the custom status kept. */
  private continueAsNew(turn: Turn, action: Action, custom: string | null): void {
    const { row, now } = turn;
    // A new execution id, as DTFx gives each continue-as-new: the old execution's answers no longer match.
    const executionId = randomUUID();
    this.store.resetExecution(row.id);
    this.store.updateInstance(row.id, {
      status: 'Running',
      input: encode(action.input) ?? null,
      next_task_id: 0,
      custom_status: custom,
      updated_at: now,
      execution_id: executionId,
    });
    // Client-raised events not yet delivered to a turn survive for the new execution (they carry no
    // execution id); ones delivered but not consumed are dropped: durable-functions 3.5 continueAsNew has
    // no preserveUnprocessedEvents.
    this.store.restartExecution(
      row.id,
      historyEvent(EventType.ExecutionStarted, now, { Name: row.name, Input: encode(action.input) }),
      now,
      executionId,
    );
  }

  private startChild(name: string, childId: string, input: unknown, parent: ParentLink): void {
    const existing = this.store.instance(childId);
    if (existing) {
      // The parent's turn is being re-applied after a crash, or the id is reused: never run a child twice.
      if (isTerminal(existing.status) && existing.parent_id === parent.id)
        this.notifyParent(
          existing,
          existing.status === 'Completed',
          existing.output ?? undefined,
          existing.output ?? 'failed',
        );
      return;
    }
    this.createInstance(name, childId, input, parent);
  }

  /** The one way an instance comes to be, top-level or child: a Pending row and its ExecutionStarted. */
  private createInstance(name: string, instanceId: string, input: unknown, parent?: ParentLink): void {
    const now = this.options.clock.nowMs();
    // Every start has its own execution id (a startNew over a finished instance too), as in DTFx.
    const executionId = randomUUID();
    this.store.insertInstance({
      id: instanceId,
      name,
      status: 'Pending',
      input: encode(input) ?? null,
      created_at: now,
      updated_at: now,
      parent_id: parent?.id ?? null,
      parent_task_id: parent?.taskId ?? null,
      execution_id: executionId,
      parent_execution_id: parent?.executionId ?? '',
    });
    this.store.enqueue(
      instanceId,
      historyEvent(EventType.ExecutionStarted, now, { Name: name, Input: encode(input) }),
      now,
      executionId,
    );
  }

  private finish(
    row: InstanceRow,
    status: RuntimeStatus,
    output: string | null,
    custom: string | null,
    succeeded: boolean,
    result: string | undefined,
  ): void {
    this.store.updateInstance(row.id, {
      status,
      output,
      custom_status: custom,
      updated_at: this.options.clock.nowMs(),
    });
    this.store.clearWork(row.id);
    this.notifyParent(
      row,
      succeeded,
      succeeded ? result : undefined,
      succeeded ? undefined : (result ?? 'failed'),
    );
    this.log(`${row.name} ${row.id} ${status}${succeeded ? '' : `: ${result}`}`);
  }

  private notifyParent(
    row: InstanceRow,
    succeeded: boolean,
    result: string | undefined,
    reason?: string,
  ): void {
    if (!row.parent_id || row.parent_task_id === null) return;
    // A child of an earlier execution of its parent (the parent was terminated and started again, or
    // continued as new, after starting it) answers nobody: its task id means something else to the new
    // execution. DTFx addresses the answer to the parent's ExecutionId and drops it on a mismatch.
    const parent = this.store.executionOf(row.parent_id);
    if (parent?.execution_id !== row.parent_execution_id) {
      this.log(
        `${row.name} ${row.id} outlived the parent execution ${row.parent_execution_id} that started it: result dropped`,
      );
      return;
    }
    const now = this.options.clock.nowMs();
    const event = succeeded
      ? historyEvent(EventType.SubOrchestrationInstanceCompleted, now, {
          TaskScheduledId: row.parent_task_id,
          Result: result,
        })
      : historyEvent(EventType.SubOrchestrationInstanceFailed, now, {
          TaskScheduledId: row.parent_task_id,
          Reason: decodeReason(reason),
          Details: '',
        });
    this.store.enqueue(row.parent_id, event, now, row.parent_execution_id);
  }

  private fail(row: InstanceRow, inboxIds: number[], newEvents: HistoryEvent[], reason: string): void {
    this.store.transaction(() => {
      for (const inboxId of inboxIds) this.store.deleteInbox(inboxId);
      if (newEvents.length) this.store.appendHistory(row.id, newEvents);
      this.store.appendHistory(row.id, [
        historyEvent(EventType.ExecutionFailed, this.options.clock.nowMs(), { Reason: reason }),
      ]);
      this.finish(row, 'Failed', encode(reason) ?? null, row.custom_status, false, reason);
    });
  }
  /** Whether the engine's retry bookkeeping waits for this event (see turnBatch). */
  private ownsRetry(instanceId: string, event: HistoryEvent): boolean {
    if (event.EventType === EventType.TaskFailed)
      return this.store.hasFailedAttempt(instanceId, event.TaskScheduledId as number);
    if (event.EventType === EventType.TimerFired)
      return this.store.hasRetryTimer(instanceId, event.TimerId as number);
    return false;
  }

  private async runActivity(row: ActivityRow): Promise<void> {
    const handler = this.activityHandlers.get(row.name.toLowerCase());
    const now = () => this.options.clock.nowMs();
    const started = process.hrtime.bigint();
    let event: HistoryEvent;
    try {
      if (!handler) throw new Error(`No activity named ${row.name} is registered in this app.`);
      const input = row.input === null ? undefined : JSON.parse(row.input);
      const result = await handler(
        input,
        new InvocationContext({
          invocationId: `${row.instance_id}:${row.task_id}:${row.attempt}`,
          functionName: row.name,
          logHandler: (_l, ...args) => this.log(`[${row.name}] ${args.map(String).join(' ')}`),
        }),
      );
      event = historyEvent(EventType.TaskCompleted, now(), {
        TaskScheduledId: row.task_id,
        Result: encode(result),
      });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      // Reason and Details as Azure's extension writes them for an out-of-process activity.
      event = historyEvent(EventType.TaskFailed, now(), {
        TaskScheduledId: row.task_id,
        ...activityTaskFailure(row.name, e),
      });
      this.log(`activity ${row.name} (attempt ${row.attempt}) failed: ${e.message.split('\n')[0]}`);
    }
    this.stats.activityMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    this.store.transaction(() => {
      // Status and execution alone: the row's input and custom status are kilobytes, read on every result.
      const current = this.store.executionOf(row.instance_id);
      // The execution that scheduled this work ended (terminated, purged, restarted with a new input) while
      // it ran: its result belongs to nobody now, as the Durable Task Framework drops a message for another
      // execution id. Delivering it would answer a task id the new execution scheduled for something else.
      if (!this.store.deleteActivity(row.id)) return;
      if (!current || isTerminal(current.status)) return;
      if (current.execution_id !== row.execution_id) {
        this.logDropped(
          { id: row.instance_id, execution_id: current.execution_id },
          event.EventType,
          row.execution_id,
        );
        return;
      }
      if (event.EventType === EventType.TaskFailed && row.retry) {
        this.store.addFailedAttempt({
          instance_id: row.instance_id,
          task_id: row.task_id,
          name: row.name,
          input: row.input,
          attempt: row.attempt,
          retry: row.retry,
        });
      }
      this.store.enqueue(row.instance_id, event, now(), row.execution_id);
    });
  }

  private toStatus(
    row: InstanceRow,
    options: { showHistory?: boolean; showInput?: boolean },
  ): InstanceStatus {
    const parse = (text: string | null) => (text === null ? null : JSON.parse(text));
    return {
      name: row.name,
      instanceId: row.id,
      runtimeStatus: row.status,
      input: options.showInput === false ? null : parse(row.input),
      output: parse(row.output),
      customStatus: parse(row.custom_status),
      createdTime: new Date(row.created_at).toISOString(),
      lastUpdatedTime: new Date(row.updated_at).toISOString(),
      ...(options.showHistory ? { historyEvents: this.store.history(row.id) } : {}),
    };
  }
}

/** Who started a child: the parent, the task id it waits on, and the execution that scheduled it. */
interface ParentLink {
  id: string;
  taskId: number;
  executionId: string;
}

/** A message stamped for an execution other than the instance's current one. */
function staleFor(row: InstanceRow, message: InboxMessage): boolean {
  return typeof message.executionId === 'string' && message.executionId !== row.execution_id;
}

/** The library JSON-encodes string inputs of activities (and only those); hand the activity the string. */
function activityInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

function retryDelay(retry: NonNullable<Action['retryOptions']>, attempt: number): number {
  const delay = retry.firstRetryIntervalInMilliseconds * Math.pow(retry.backoffCoefficient ?? 1, attempt - 1);
  return retry.maxRetryIntervalInMilliseconds ? Math.min(delay, retry.maxRetryIntervalInMilliseconds) : delay;
}

/** The replay made a call other than the one its history recorded at the same position. */
function nondeterminism(recorded: Action[], replayed: Action[]): string | undefined {
  for (let i = 0; i < Math.min(recorded.length, replayed.length); i++) {
    if (!sameAction(recorded[i]!, replayed[i]!))
      return `Non-deterministic orchestration: on replay, action ${i} is ${describeAction(replayed[i]!)}, but the history recorded ${describeAction(recorded[i]!)}. Orchestrator code must make the same calls in the same order on every replay.`;
  }
  return undefined;
}

/** Failure reasons are stored JSON-encoded like outputs; hand the parent the plain text. */
function decodeReason(reason: string | undefined): string {
  if (!reason) return 'failed';
  try {
    const parsed = JSON.parse(reason) as unknown;
    return typeof parsed === 'string' ? parsed : reason;
  } catch {
    return reason;
  }
}

function validateInstanceId(instanceId: string): void {
  const problem = instanceIdProblem(instanceId);
  if (problem) throw new Error(problem);
}
