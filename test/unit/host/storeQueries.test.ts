import { DurableStore } from '../../../src/local/host/durable/store';
import { EventType, historyEvent } from '../../../src/local/host/durable/history';

/**
 * Every statement the engine runs for one instance finds that instance's rows through an index: a scan
 * reads every instance's rows, so each turn would cost more with every instance running beside it.
 */
describe('the durable store, per instance', () => {
  it('reads and clears one instance without scanning the others', () => {
    const store = new DurableStore(':memory:');
    const started = historyEvent(EventType.ExecutionStarted, 0, { Name: 'x' });
    store.transaction(() => {
      store.insertInstance({
        id: 'a',
        name: 'x',
        status: 'Running',
        input: null,
        created_at: 0,
        updated_at: 0,
        parent_id: null,
        parent_task_id: null,
        execution_id: 'e1',
        parent_execution_id: '',
      });
      store.enqueue('a', started, 0);
      store.addActivity({
        instance_id: 'a',
        task_id: 0,
        name: 'act',
        input: null,
        attempt: 1,
        retry: null,
        execution_id: 'e1',
      });
      store.executionOf('a');
      store.pendingInbox('a', 0);
      store.appendHistory('a', [started]);
      store.history('a');
      store.actions('a');
      store.restartExecution('a', started, 0, 'e2');
      store.purge('a');
    });
    const perInstance = [
      ...(store as unknown as { statements: Map<string, unknown> }).statements.keys(),
    ].filter((sql) => /\b(instance_id|id) = \?/.test(sql));
    expect(perInstance.length).toBeGreaterThan(10);
    const scans = perInstance.flatMap((sql) =>
      (
        store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(
          ...sql
            .split('?')
            .slice(1)
            .map(() => 'a'),
        ) as {
          detail: string;
        }[]
      )
        .filter((step) => /^SCAN /.test(step.detail))
        .map((step) => `${step.detail}: ${sql}`),
    );
    expect(scans).toEqual([]);
    store.close();
  });
});
