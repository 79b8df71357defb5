import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DurableStore } from '../../../src/local/host/durable/store';

/**
 * The local world's SQLite file survives restarts, so a file written before executions had ids must open,
 * gain the columns, and keep its work: its rows all belong to the one execution each instance has.
 */
describe('a durable store written before execution ids', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bif-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function writeOldFile(path: string): void {
    const db = new Database(path);
    db.exec(`
      CREATE TABLE instances (id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, input TEXT, output TEXT,
        custom_status TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, parent_id TEXT, parent_task_id INTEGER,
        next_task_id INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, event TEXT NOT NULL, visible_at INTEGER NOT NULL);
      CREATE TABLE activities (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, task_id INTEGER NOT NULL,
        name TEXT NOT NULL, input TEXT, attempt INTEGER NOT NULL, retry TEXT, state TEXT NOT NULL DEFAULT 'pending');
      INSERT INTO instances (id, name, status, created_at, updated_at) VALUES ('old', 'build', 'Running', 1, 1);
      INSERT INTO instances (id, name, status, created_at, updated_at, parent_id, parent_task_id)
        VALUES ('old:0', 'child', 'Running', 1, 1, 'old', 0);
      INSERT INTO inbox (instance_id, event, visible_at) VALUES ('old', '{"EventType":5,"TaskScheduledId":1}', 1);
      INSERT INTO activities (instance_id, task_id, name, attempt, state) VALUES ('old', 2, 'step', 1, 'running');
    `);
    db.close();
  }

  it('adds the execution columns and keeps every row matching its instance', () => {
    const path = join(dir, 'durable.db');
    writeOldFile(path);
    for (let opening = 0; opening < 2; opening++) {
      const store = new DurableStore(path); // twice: the migration runs once and is a no-op after
      expect(store.executionOf('old')).toEqual({ status: 'Running', execution_id: '' });
      expect(store.instance('old:0')!.parent_execution_id).toBe(store.instance('old')!.execution_id);
      expect(store.pendingInbox('old', 10).map((m) => m.executionId)).toEqual([null]);
      const [activity] = store.claimActivities(10);
      expect(activity).toMatchObject({ task_id: 2, execution_id: '' });
      store.close();
    }
  });
});
