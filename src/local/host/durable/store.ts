import Database from 'better-sqlite3';
import type { InboxMessage } from './inboxBatch';
import { EventType, type Action, type HistoryEvent } from './history';

const EVENT_RAISED: number = EventType.EventRaised;

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated';

export interface InstanceRow {
  id: string;
  name: string;
  status: RuntimeStatus;
  input: string | null;
  output: string | null;
  custom_status: string | null;
  created_at: number;
  updated_at: number;
  parent_id: string | null;
  parent_task_id: number | null;
  next_task_id: number;
  /** The current execution: new on every start, restart and continue-as-new (DTFx's ExecutionId). */
  execution_id: string;
  /** The parent execution that started this child: its answer goes to that execution only. */
  parent_execution_id: string;
}

export interface ActivityRow {
  id: number;
  instance_id: string;
  task_id: number;
  name: string;
  input: string | null;
  attempt: number;
  retry: string | null;
  state: 'pending' | 'running';
  /** The execution that scheduled the activity: its result goes to that execution only. */
  execution_id: string;
}

interface RetryTimerRow {
  instance_id: string;
  timer_id: number;
  name: string;
  input: string | null;
  attempt: number;
  retry: string;
}

/**
 * Durable state in SQLite (WAL): instances, their history, the actions they scheduled (for the
 * determinism check), an inbox of events per instance (timers are inbox events visible later), and the
 * activity queue. Every orchestration turn commits in one transaction, so a kill at any moment leaves
 * either the turn before or the turn after.
 */
export class DurableStore {
  readonly db: Database.Database;
  /** Statements compiled once: preparing SQL on every call was the engine's largest cost at scale. */
  private readonly statements = new Map<string, Database.Statement>();
  /** One transaction wrapper for all work (better-sqlite3 turns nested calls into savepoints). */
  private readonly atomically: (work: () => unknown) => unknown;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS instances (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, input TEXT, output TEXT, custom_status TEXT,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, parent_id TEXT, parent_task_id INTEGER, next_task_id INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS history (instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (instance_id, seq));
      CREATE TABLE IF NOT EXISTS actions (instance_id TEXT NOT NULL, idx INTEGER NOT NULL, action TEXT NOT NULL, PRIMARY KEY (instance_id, idx));
      CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, event TEXT NOT NULL, visible_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS inbox_visible ON inbox (visible_at);
      CREATE TABLE IF NOT EXISTS activities (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, task_id INTEGER NOT NULL,
        name TEXT NOT NULL, input TEXT, attempt INTEGER NOT NULL, retry TEXT, state TEXT NOT NULL DEFAULT 'pending');
      CREATE TABLE IF NOT EXISTS failed_attempts (instance_id TEXT NOT NULL, task_id INTEGER NOT NULL, name TEXT NOT NULL, input TEXT,
        attempt INTEGER NOT NULL, retry TEXT NOT NULL, PRIMARY KEY (instance_id, task_id));
      CREATE TABLE IF NOT EXISTS retry_timers (instance_id TEXT NOT NULL, timer_id INTEGER NOT NULL, name TEXT NOT NULL, input TEXT,
        attempt INTEGER NOT NULL, retry TEXT NOT NULL, PRIMARY KEY (instance_id, timer_id));
      -- Every turn reads its instance's inbox, and every finish clears its work: without these, each
      -- was a scan of every instance's rows, a cost per turn that grew with the number of instances.
      CREATE INDEX IF NOT EXISTS inbox_instance ON inbox (instance_id, visible_at);
      CREATE INDEX IF NOT EXISTS activities_instance ON activities (instance_id);
    `);
    addExecutionColumns(this.db);
    // Activities that were running when the host died run again: at least once, like Azure.
    this.db.prepare(`UPDATE activities SET state = 'pending' WHERE state = 'running'`).run();
    this.atomically = this.db.transaction((work: () => unknown) => work());
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  transaction<T>(work: () => T): T {
    return this.atomically(work) as T;
  }

  instance(id: string): InstanceRow | undefined {
    return this.sql('SELECT * FROM instances WHERE id = ?').get(id) as InstanceRow | undefined;
  }

  /** The runtime status alone: the row's input and output can be kilobytes, and waiters read often. */
  statusOf(id: string): RuntimeStatus | undefined {
    return (
      this.sql('SELECT status FROM instances WHERE id = ?').get(id) as { status: RuntimeStatus } | undefined
    )?.status;
  }

  /** The runtime status and current execution: every answer (activity result, child) is checked against it. */
  executionOf(id: string): Pick<InstanceRow, 'status' | 'execution_id'> | undefined {
    return this.sql('SELECT status, execution_id FROM instances WHERE id = ?').get(id) as
      Pick<InstanceRow, 'status' | 'execution_id'> | undefined;
  }

  insertInstance(row: Omit<InstanceRow, 'output' | 'custom_status' | 'next_task_id'>): void {
    this.sql(
      `INSERT INTO instances (id, name, status, input, created_at, updated_at, parent_id, parent_task_id, execution_id, parent_execution_id) VALUES (@id, @name, @status, @input, @created_at, @updated_at, @parent_id, @parent_task_id, @execution_id, @parent_execution_id)`,
    ).run(row);
  }

  updateInstance(
    id: string,
    fields: Partial<
      Pick<
        InstanceRow,
        'status' | 'output' | 'custom_status' | 'updated_at' | 'next_task_id' | 'input' | 'execution_id'
      >
    >,
  ): void {
    const keys = Object.keys(fields);
    if (keys.length === 0) return;
    this.sql(`UPDATE instances SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`).run({
      ...fields,
      id,
    });
  }

  history(id: string): HistoryEvent[] {
    return (
      this.sql('SELECT event FROM history WHERE instance_id = ? ORDER BY seq').all(id) as {
        event: string;
      }[]
    ).map((r) => JSON.parse(r.event) as HistoryEvent);
  }

  appendHistory(id: string, events: HistoryEvent[]): void {
    const { n } = this.sql('SELECT COUNT(*) AS n FROM history WHERE instance_id = ?').get(id) as {
      n: number;
    };
    const insert = this.sql('INSERT INTO history (instance_id, seq, event) VALUES (?, ?, ?)');
    events.forEach((e, i) => insert.run(id, n + i, JSON.stringify({ ...e, IsPlayed: true })));
  }

  actions(id: string): Action[] {
    return (
      this.sql('SELECT action FROM actions WHERE instance_id = ? ORDER BY idx').all(id) as {
        action: string;
      }[]
    ).map((r) => JSON.parse(r.action) as Action);
  }

  appendActions(id: string, from: number, actions: Action[]): void {
    const insert = this.sql('INSERT INTO actions (instance_id, idx, action) VALUES (?, ?, ?)');
    actions.forEach((a, i) => insert.run(id, from + i, JSON.stringify(a)));
  }

  /**
   * `executionId`: the execution the message is for (an activity result, a timer, a child's answer), or
   * null for one addressed to the instance whatever its execution (a raised event), as DTFx's messages
   * carry an ExecutionId or none.
   */
  enqueue(
    instanceId: string,
    event: HistoryEvent,
    visibleAt: number,
    executionId: string | null = null,
  ): void {
    this.sql('INSERT INTO inbox (instance_id, event, visible_at, execution_id) VALUES (?, ?, ?, ?)').run(
      instanceId,
      JSON.stringify(event),
      visibleAt,
      executionId,
    );
  }

  /** Instances with an event visible now, oldest first. */
  readyInstances(nowMs: number, limit: number): string[] {
    return (
      this.sql(
        'SELECT instance_id, MIN(id) AS first FROM inbox WHERE visible_at <= ? GROUP BY instance_id ORDER BY first LIMIT ?',
      ).all(nowMs, limit) as { instance_id: string }[]
    ).map((r) => r.instance_id);
  }

  /** Every message of the instance visible now, in arrival order (a turn delivers them together). */
  pendingInbox(instanceId: string, nowMs: number): InboxMessage[] {
    return (
      this.sql(
        'SELECT id, event, execution_id FROM inbox WHERE instance_id = ? AND visible_at <= ? ORDER BY id',
      ).all(instanceId, nowMs) as { id: number; event: string; execution_id: string | null }[]
    ).map((r) => ({ id: r.id, event: JSON.parse(r.event) as HistoryEvent, executionId: r.execution_id }));
  }

  hasFailedAttempt(instanceId: string, taskId: number): boolean {
    return !!this.sql('SELECT 1 FROM failed_attempts WHERE instance_id = ? AND task_id = ?').get(
      instanceId,
      taskId,
    );
  }

  hasRetryTimer(instanceId: string, timerId: number): boolean {
    return !!this.sql('SELECT 1 FROM retry_timers WHERE instance_id = ? AND timer_id = ?').get(
      instanceId,
      timerId,
    );
  }

  /**
   * Continue-as-new: the old execution's work goes, but events raised by a client that no turn has
   * delivered yet stay for the new execution, after its ExecutionStarted. Azure's client sends them
   * without an ExecutionId, and only messages for another ExecutionId are dropped
   * (DurableClient.RaiseEventInternalAsync, ReconcileMessagesWithState).
   */
  restartExecution(instanceId: string, started: HistoryEvent, nowMs: number, executionId: string): void {
    const raised = (
      this.sql('SELECT event, visible_at, execution_id FROM inbox WHERE instance_id = ? ORDER BY id').all(
        instanceId,
      ) as { event: string; visible_at: number; execution_id: string | null }[]
    ).filter(
      (r) => r.execution_id === null && (JSON.parse(r.event) as HistoryEvent).EventType === EVENT_RAISED,
    );
    this.clearWork(instanceId);
    this.enqueue(instanceId, started, nowMs, executionId);
    const insert = this.sql('INSERT INTO inbox (instance_id, event, visible_at) VALUES (?, ?, ?)');
    for (const r of raised) insert.run(instanceId, r.event, r.visible_at);
  }

  deleteInbox(id: number): void {
    this.sql('DELETE FROM inbox WHERE id = ?').run(id);
  }

  nextTimerAt(): number | undefined {
    return (
      (this.sql('SELECT MIN(visible_at) AS at FROM inbox').get() as { at: number | null }).at ?? undefined
    );
  }

  addActivity(row: Omit<ActivityRow, 'id' | 'state'>): void {
    this.sql(
      'INSERT INTO activities (instance_id, task_id, name, input, attempt, retry, execution_id) VALUES (@instance_id, @task_id, @name, @input, @attempt, @retry, @execution_id)',
    ).run(row);
  }

  /** Claims pending activities (marks them running) so a slot never runs the same one twice. */
  claimActivities(limit: number): ActivityRow[] {
    // One connection on one thread: nothing can claim between the read and the marking, so the
    // transaction (a commit) is paid only when there is something to mark.
    const rows = this.sql(`SELECT * FROM activities WHERE state = 'pending' ORDER BY id LIMIT ?`).all(
      limit,
    ) as ActivityRow[];
    if (rows.length === 0) return rows;
    const mark = this.sql(`UPDATE activities SET state = 'running' WHERE id = ?`);
    this.transaction(() => {
      for (const r of rows) mark.run(r.id);
    });
    return rows;
  }

  /** Whether the row was still there: a terminated, purged or restarted instance's work is gone. */
  deleteActivity(id: number): boolean {
    return this.sql('DELETE FROM activities WHERE id = ?').run(id).changes > 0;
  }

  addRetryTimer(row: RetryTimerRow): void {
    this.sql(
      'INSERT OR REPLACE INTO retry_timers (instance_id, timer_id, name, input, attempt, retry) VALUES (@instance_id, @timer_id, @name, @input, @attempt, @retry)',
    ).run(row);
  }

  takeRetryTimer(instanceId: string, timerId: number): RetryTimerRow | undefined {
    const row = this.sql('SELECT * FROM retry_timers WHERE instance_id = ? AND timer_id = ?').get(
      instanceId,
      timerId,
    ) as RetryTimerRow | undefined;
    if (row)
      this.sql('DELETE FROM retry_timers WHERE instance_id = ? AND timer_id = ?').run(instanceId, timerId);
    return row;
  }

  /** A failed attempt of a task with a retry policy, waiting for its orchestrator to see the failure. */
  addFailedAttempt(row: {
    instance_id: string;
    task_id: number;
    name: string;
    input: string | null;
    attempt: number;
    retry: string;
  }): void {
    this.sql(
      'INSERT OR REPLACE INTO failed_attempts (instance_id, task_id, name, input, attempt, retry) VALUES (@instance_id, @task_id, @name, @input, @attempt, @retry)',
    ).run(row);
  }

  takeFailedAttempt(instanceId: string, taskId: number): Omit<RetryTimerRow, 'timer_id'> | undefined {
    const row = this.sql('SELECT * FROM failed_attempts WHERE instance_id = ? AND task_id = ?').get(
      instanceId,
      taskId,
    ) as Omit<RetryTimerRow, 'timer_id'> | undefined;
    if (row)
      this.sql('DELETE FROM failed_attempts WHERE instance_id = ? AND task_id = ?').run(instanceId, taskId);
    return row;
  }

  clearWork(instanceId: string): void {
    for (const table of ['inbox', 'activities', 'retry_timers', 'failed_attempts'])
      this.sql(`DELETE FROM ${table} WHERE instance_id = ?`).run(instanceId);
  }

  resetExecution(instanceId: string): void {
    for (const table of ['history', 'actions', 'retry_timers', 'failed_attempts'])
      this.sql(`DELETE FROM ${table} WHERE instance_id = ?`).run(instanceId);
  }

  purge(instanceId: string): number {
    this.clearWork(instanceId);
    this.resetExecution(instanceId);
    return this.sql('DELETE FROM instances WHERE id = ?').run(instanceId).changes;
  }

  list(): InstanceRow[] {
    return this.sql('SELECT * FROM instances ORDER BY created_at').all() as InstanceRow[];
  }

  close(): void {
    this.db.close();
  }
}

/**
 * The execution-id columns, added to a database written before they existed (the local world's file
 * survives restarts). Rows from then get '' (instances, their children, activities) and NULL (inbox
 * messages), so they keep matching each other until the instance starts a new execution.
 */
function addExecutionColumns(db: Database.Database): void {
  const columns: [table: string, column: string, declaration: string][] = [
    ['instances', 'execution_id', "TEXT NOT NULL DEFAULT ''"],
    ['instances', 'parent_execution_id', "TEXT NOT NULL DEFAULT ''"],
    ['activities', 'execution_id', "TEXT NOT NULL DEFAULT ''"],
    ['inbox', 'execution_id', 'TEXT'],
  ];
  for (const [table, column, declaration] of columns) {
    const existing = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!existing.some((c) => c.name === column))
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${declaration}`);
  }
}
