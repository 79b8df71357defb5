import type { OrchestrationContext } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { emptyLedger, LEDGER_OP_EVENT, ledgerInstanceId, type LeaseReply } from '../../../src/domain/ledger';
import { ORCHESTRATORS } from '../../../src/domain/pipeline';
import { askLedger } from '../../../src/orchestrators/ledgerCalls';
import { startScriptedEngine, stopScriptedEngines } from '../../helpers/scriptedCloud';
import { SUB_A } from '../../helpers/requests';
import { HandClock } from '../../helpers/handClock';

/**
 * The ledger orchestration itself on the embedded engine: before it refuses a version, it asks the
 * Durable client whether the holder still runs (a terminated build never releases its lease).
 */
jest.setTimeout(60_000);
const VM = `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`;
const DEF = `/subscriptions/${SUB_A}/resourceGroups/rg-hpc-images/providers/Microsoft.Compute/galleries/galHpcImages/images/ledger-unit`;
afterEach(stopScriptedEngines);

/** A holder that runs until the test ends. */
const sleeper = function* (context: OrchestrationContext) {
  yield context.df.waitForExternalEvent('never');
};

/** A pipeline stand-in: asks the ledger for a lease of the version in its input and returns the answer. */
const asker = function* (context: OrchestrationContext) {
  const version = context.df.getInput() as string;
  return yield* askLedger<LeaseReply>(context, DEF, { kind: 'lease', execution: 'e1', version });
};

async function settle(engine: ReturnType<typeof startScriptedEngine>['engine'], id: string, version: string) {
  for (let i = 0; i < 200; i++) {
    const leases = (engine.status(id)?.customStatus as { leases?: { version: string }[] } | undefined)
      ?.leases;
    if (leases?.some((l) => l.version === version)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the ledger never leased ${version}`);
}

describe('definitionLedger on the engine', () => {
  it('grants a version whose holder no longer exists, and refuses one whose holder still runs', async () => {
    const { engine } = startScriptedEngine(VM);
    engine.registerOrchestrator('ledgerAsker', createOrchestrator(asker) as never);
    const ledgerId = ledgerInstanceId(DEF);
    engine.startNew(ORCHESTRATORS.definitionLedger, ledgerId, emptyLedger(DEF));
    // A lease whose holder is gone (terminated and purged, or never there): one-way, like a lost release.
    engine.raiseEvent(ledgerId, LEDGER_OP_EVENT, { kind: 'lease', from: 'gone', version: '9.0.0' });
    await settle(engine, ledgerId, '9.0.0');
    engine.startNew('ledgerAsker', 'asker-1', '9.0.0');
    const first = await engine.waitFor('asker-1', ['Completed', 'Failed'], 30_000);
    expect(first.output).toMatchObject({ ok: true, version: '9.0.0' });
    // asker-1 has completed too: its lease goes the same way; a running holder's would not.
    engine.startNew('ledgerAsker', 'asker-2', '9.0.0');
    expect((await engine.waitFor('asker-2', ['Completed', 'Failed'], 30_000)).output).toMatchObject({
      ok: true,
    });

    engine.registerOrchestrator('ledgerSleeper', createOrchestrator(sleeper) as never);
    engine.startNew('ledgerSleeper', 'sleeper', undefined);
    engine.raiseEvent(ledgerId, LEDGER_OP_EVENT, { kind: 'lease', from: 'sleeper', version: '9.1.0' });
    await settle(engine, ledgerId, '9.1.0');
    engine.startNew('ledgerAsker', 'asker-3', '9.1.0');
    expect((await engine.waitFor('asker-3', ['Completed', 'Failed'], 30_000)).output).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/9\.1\.0 is being built by sleeper/),
    });
  });

  it('answers a request that arrives in the same batch as its idle timer instead of continuing as new without it', async () => {
    const clock = new HandClock();
    const { engine } = startScriptedEngine(VM, clock);
    engine.registerOrchestrator('ledgerSleeper', createOrchestrator(sleeper) as never);
    engine.registerOrchestrator('ledgerWaiter', createOrchestrator(waiter) as never);
    engine.startNew('ledgerSleeper', 'holder', undefined);
    engine.startNew('ledgerWaiter', 'waiter', undefined);
    const ledgerId = ledgerInstanceId(DEF);
    // A running holder's lease: the ledger waits HOLDER_CHECK_MS idle before it continues as new.
    const state = emptyLedger(DEF);
    state.leases.holder = { version: '1.0.0', versionId: `${DEF}/versions/1.0.0` };
    engine.startNew(ORCHESTRATORS.definitionLedger, ledgerId, state);
    while (!((engine.store.nextTimerAt() ?? 0) > clock.nowMs())) await new Promise((r) => setTimeout(r, 5));
    // The idle timer comes due and, in the same instant, a build asks for a version.
    clock.set(engine.store.nextTimerAt()!);
    engine.raiseEvent(ledgerId, LEDGER_OP_EVENT, {
      kind: 'lease',
      from: 'waiter',
      execution: 'w1',
      version: '2.0.0',
      reply: 'answer',
    });
    const answered = await engine.waitFor('waiter', ['Completed'], 5_000).catch(() => undefined);
    expect(answered?.output).toMatchObject({ ok: true, version: '2.0.0' });
  });

  it('rebuilt after a terminate that lost its custom status, it never hands out one auto version twice', async () => {
    const { engine } = startScriptedEngine(VM);
    engine.registerOrchestrator('ledgerAsker', createOrchestrator(asker) as never);
    engine.registerOrchestrator('autoHolder', createOrchestrator(autoHolder) as never);
    const ledgerId = ledgerInstanceId(DEF);
    engine.startNew('autoHolder', 'holder-1', undefined);
    const held = await until(
      () => (engine.status('holder-1')?.customStatus as { version?: string } | null)?.version,
    );
    // The ledger is terminated; as Azure Storage does, its custom status does not survive the terminate.
    engine.terminate(ledgerId, 'operator');
    engine.store.updateInstance(ledgerId, { custom_status: null });
    engine.startNew('ledgerAsker', 'asker-auto', 'auto');
    const second = await engine.waitFor('asker-auto', ['Completed', 'Failed'], 30_000);
    expect(second.output).toMatchObject({ ok: true });
    expect((second.output as { version: string }).version).not.toBe(held);
  });
});

/** A build that leases "auto" and, as imagePipeline does, shows the version in its status, then runs on. */
const autoHolder = function* (context: OrchestrationContext) {
  const lease = yield* askLedger<LeaseReply>(context, DEF, {
    kind: 'lease',
    execution: 'h1',
    version: 'auto',
  });
  if (lease.ok) context.df.setCustomStatus({ version: lease.version, imageVersionId: lease.versionId });
  yield context.df.waitForExternalEvent('never');
};

async function until<T>(read: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

/** A sender that waits for the ledger's answer. */
const waiter = function* (context: OrchestrationContext) {
  return (yield context.df.waitForExternalEvent('answer')) as unknown;
};
