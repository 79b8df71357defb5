import type { DurableClient } from 'durable-functions';
import { durableInstances, durableStarter } from '../../../src/functions/durableStarter';
import { sendToLedger } from '../../../src/activities/ledger';
import { emptyLedger, ledgerInstanceId, dropFinishedHolders } from '../../../src/domain/ledger';
import { isAlive } from '../../../src/domain/runtimeStatus';
import type { Services } from '../../../src/activities/services';
import type { InstancesPort } from '../../../src/ports';

/**
 * A Suspended instance is alive, as Azure's Durable client says (DurableClient.IsOrchestrationRunning):
 * it takes raised events and a start under its id is refused, so no door restarts or skips it.
 */
function fakeClient(status: string) {
  const calls: string[] = [];
  const client = {
    getStatus: async (id: string) => ({ instanceId: id, runtimeStatus: status, customStatus: null }),
    raiseEvent: async (id: string, name: string) => void calls.push(`raise ${id} ${name}`),
    terminate: async (id: string) => void calls.push(`terminate ${id}`),
    startNew: async (name: string) => (calls.push(`start ${name}`), 'x'),
  };
  return { client: client as unknown as DurableClient, calls };
}

const DEF =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d';

describe('Suspended is alive', () => {
  it('the domain helper says so for every status Azure counts as running, and only those', () => {
    expect(['Running', 'Pending', 'ContinuedAsNew', 'Suspended'].map(isAlive)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['Completed', 'Failed', 'Terminated', 'Canceled', undefined].map(isAlive)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('the Durable client port raises an event to a Suspended instance', async () => {
    const { client, calls } = fakeClient('Suspended');
    expect(await durableInstances(client).raiseEvent('ledger', 'op', {})).toBe(true);
    expect(calls).toEqual(['raise ledger op']);
  });

  it('sendToLedger hands a Suspended ledger the operation instead of starting (and rebuilding) another', async () => {
    const { client, calls } = fakeClient('Suspended');
    const instances: InstancesPort = durableInstances(client);
    await sendToLedger({ instances } as unknown as Services, {
      definitionId: DEF,
      op: { kind: 'release', from: 'p' },
    });
    expect(calls).toEqual([`raise ${ledgerInstanceId(DEF)} bif-ledger-op`]);
  });

  it('a Suspended holder keeps its lease', () => {
    const state = emptyLedger(DEF);
    state.leases.p = { version: '1.0.0', versionId: `${DEF}/versions/1.0.0` };
    expect(dropFinishedHolders(state, { p: 'Suspended' })).toEqual([]);
  });

  it('a restart ends Suspended children of the earlier run too', async () => {
    const { client, calls } = fakeClient('Suspended');
    (client as unknown as { getStatus: unknown }).getStatus = async (id: string) => ({
      instanceId: id,
      runtimeStatus: 'Suspended',
      customStatus: { regionInstances: ['child-a'] },
      input: { request: { pools: [{ account: { region: 'westeurope' } }] } },
    });
    expect(await durableStarter(client).endEarlierChildren('parent')).toEqual(['child-a']);
    expect(calls).toEqual(['terminate child-a']);
  });
});
