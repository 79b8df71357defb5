import type { ComputeManagementClient } from '@azure/arm-compute';
import { startTestSimulator, RG } from '../../helpers/simulator';
import { DurableEngine } from '../../../src/local/host/durable/engine';
import { VirtualClock } from '../../../src/local/clock';
import { pipelineInstanceId, snapshotName } from '../../../src/domain/pipeline';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

// Names Azure refuses, refused the same way by the local world (real @azure/arm-compute client).
let sim: RunningSimulator;
let compute: ComputeManagementClient;
beforeAll(async () => {
  ({ sim, compute } = await startTestSimulator());
});
afterAll(() => sim.stop());

const OS_DISK = `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`;
const put = (name: string) =>
  compute.snapshots.beginCreateOrUpdate('rg-render-build', name, {
    location: 'westeurope',
    creationData: { createOption: 'Copy', sourceResourceId: OS_DISK },
  });

describe('snapshot names (Compute naming rules)', () => {
  it('refuses names over 80 characters or ending in a hyphen, with InvalidResourceName', async () => {
    await expect(put(`bif-${'a'.repeat(77)}`)).rejects.toMatchObject({ code: 'InvalidResourceName' });
    await expect(put('bif-run-')).rejects.toMatchObject({ code: 'InvalidResourceName' });
  });

  it('accepts what the pipeline derives from a 100-character requestId', async () => {
    const name = snapshotName(`Z${'y'.repeat(99)}`, 'data', 12);
    expect(name).toHaveLength(80);
    await expect(put(name)).resolves.toBeDefined();
  });
});

describe('Durable instance ids (the extension refuses, never cuts)', () => {
  it('refuses ids over 256 characters and with / \\ # ?', async () => {
    const engine = new DurableEngine({ dbPath: ':memory:', clock: new VirtualClock({ speed: 1 }) });
    engine.registerOrchestrator('noop', async () => ({}));
    expect(() => engine.startNew('noop', 'x'.repeat(257), {})).toThrow(/must not exceed 256/);
    expect(() => engine.startNew('noop', 'a/b', {})).toThrow(/must not contain/);
    expect(() => engine.startNew('noop', pipelineInstanceId(`Z${'y'.repeat(99)}`), {})).not.toThrow();
    await engine.stop();
  });
});
