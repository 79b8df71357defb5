import type { DurableEngine } from '../../../src/local/host/durable/engine';
import { engineWith } from '../../helpers/engine';

/**
 * Why waves start each wave's region children once (docs/cutover.md): durable-functions 3.5 puts the
 * actions of every task a new Task.any / Task.all holds into the orchestrator's answer
 * (TaskOrchestrationExecutor.addToActions(newTask.actionObj)), also for tasks an earlier compound already
 * scheduled. The engine, as the extension, schedules every action past the recorded ones: a "Task.any
 * loop" over started work starts it again.
 */
const engines: DurableEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop().catch(() => undefined)));
});

it('a task already scheduled, held again by a new Task.any, is scheduled a second time', async () => {
  const calls: string[] = [];
  const { engine } = engineWith(
    {
      loop: function* (context) {
        const fast = context.df.callActivity('fast', null);
        const slow = context.df.callActivity('slow', null);
        const first = yield context.df.Task.any([fast, slow]);
        const second = yield context.df.Task.any([slow]);
        return [first === fast, second === slow];
      },
    },
    {
      fast: async () => calls.push('fast'),
      slow: async () => {
        calls.push('slow');
        await new Promise((r) => setTimeout(r, 300));
        return 2;
      },
    },
  );
  engines.push(engine);
  engine.startNew('loop', 'reschedule-1', null);
  const status = await engine.waitFor('reschedule-1', ['Completed', 'Failed'], 20_000);
  expect(status.output).toEqual([true, true]);
  expect(calls).toEqual(['fast', 'slow', 'slow']);
});
