import type { OrchestrationContext } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { ledgerInstanceId, type LeaseReply } from '../../../src/domain/ledger';
import { askLedger } from '../../../src/orchestrators/ledgerCalls';
import { startScriptedEngine, stopScriptedEngines } from '../../helpers/scriptedCloud';
import { SUB_A } from '../../helpers/requests';
import { HandClock } from '../../helpers/handClock';

/**
 * The ledger under sustained load: one execution must not keep answering while requests keep landing
 * (every turn replays the whole history), and what it has read when it continues as new goes with it.
 */
jest.setTimeout(60_000);
const VM = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`;
const DEF = `/subscriptions/${SUB_A}/resourceGroups/rg-hpc-images/providers/Microsoft.Compute/galleries/galHpcImages/images/ledger-stream`;
afterEach(stopScriptedEngines);

/** A pipeline stand-in: asks the ledger for a lease of the version in its input and returns the answer. */
const asker = function* (context: OrchestrationContext) {
  const version = context.df.getInput() as string;
  return yield* askLedger<LeaseReply>(context, DEF, { kind: 'lease', execution: 'e1', version });
};

describe('definitionLedger under a stream of requests', () => {
  it('under a constant stream of requests, continues as new within a bounded history and answers every one', async () => {
    const clock = new HandClock();
    const { engine, activityCalls } = startScriptedEngine(VM, clock);
    engine.registerOrchestrator('ledgerAsker', createOrchestrator(asker) as never);
    const ledgerId = ledgerInstanceId(DEF);
    const builds = 60;
    let started = 0;
    const startNext = () => {
      if (started < builds) engine.startNew('ledgerAsker', `stream-${started}`, `9.2.${started++}`);
    };
    // Sustained load: every answer the ledger sends is followed by one more build asking, so requests
    // keep landing while it works, and have landed by the time it could continue as new.
    const historySizes: number[] = [];
    const append = engine.store.appendHistory.bind(engine.store);
    engine.store.appendHistory = (id, events) => {
      append(id, events);
      if (id !== ledgerId) return;
      historySizes.push(historyCount(engine, ledgerId));
      if (events.some((e) => e.Name === 'replyToInstance')) queueMicrotask(startNext);
    };
    startNext();
    startNext();
    // A request lost with a continue-as-new is sent again an hour later: move the clock only when stuck.
    const ids = Array.from({ length: builds }, (_, i) => `stream-${i}`);
    for (let hour = 0; ids.some((id) => engine.status(id)?.runtimeStatus !== 'Completed'); hour++) {
      if (hour > 4)
        throw new Error(
          `not answered: ${ids.filter((id) => engine.status(id)?.runtimeStatus !== 'Completed').join(', ')}`,
        );
      await Promise.all(ids.map((id) => engine.waitFor(id, ['Completed'], 3_000).catch(() => undefined)));
      clock.set(clock.nowMs() + 3_600_000);
    }
    for (const id of ids) expect(engine.status(id)?.output).toMatchObject({ ok: true });
    // Near a pipeline's 54 events, however long the stream (before: 342, one execution answering all 60).
    expect(Math.max(...historySizes)).toBeLessThanOrEqual(60);
    // Requests read with a continue-as-new are carried to the next execution, not dropped and re-sent.
    expect(activityCalls.sendToLedger! - builds).toBeLessThanOrEqual(2);
  });
});

function historyCount(engine: ReturnType<typeof startScriptedEngine>['engine'], id: string): number {
  return (
    engine.store.db.prepare('SELECT COUNT(*) AS n FROM history WHERE instance_id = ?').get(id) as {
      n: number;
    }
  ).n;
}
