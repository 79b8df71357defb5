import type { BatchServiceClient } from '@azure/batch';
import { startTestSimulator, testScenario } from '../../helpers/simulator';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

// Real @azure/batch client → the simulator's Task_Add: resource files as Batch checks them, and task
// ids that differ only in letter case.
let sim: RunningSimulator;
let batch: BatchServiceClient;

beforeAll(async () => {
  const started = await startTestSimulator({ scenario: testScenario(() => undefined) });
  sim = started.sim;
  batch = started.batch('batchrenderweu');
  await batch.job.add({ id: 'rf', poolInfo: { poolId: 'any' } });
});
afterAll(() => sim.stop());

const add = (id: string, resourceFile: Record<string, string>) =>
  batch.task.add('rf', { id, commandLine: 'x', resourceFiles: [resourceFile] }).catch((e: unknown) => e);

describe('Task_Add resource files and ids', () => {
  it.each([
    ['ftp', { httpUrl: 'ftp://example.com/x.sh', filePath: 'x.sh' }],
    ['no-path', { httpUrl: 'https://example.com/x.sh' }],
    ['up', { httpUrl: 'https://example.com/x.sh', filePath: '../x.sh' }],
    ['abs', { httpUrl: 'https://example.com/x.sh', filePath: '/etc/x.sh' }],
    ['two', { httpUrl: 'https://example.com/x.sh', autoStorageContainerName: 'c', filePath: 'x' }],
  ])('%s: 400 InvalidPropertyValue naming resourceFiles', async (id, file) => {
    expect(await add(id, file)).toMatchObject({ statusCode: 400, code: 'InvalidPropertyValue' });
  });

  it('takes a relative filePath, and refuses a task id differing only in case (409 TaskExists)', async () => {
    expect(await add('ok', { httpUrl: 'https://example.com/x.sh', filePath: 'bin/x.sh' })).not.toBeInstanceOf(
      Error,
    );
    expect(await add('OK', { httpUrl: 'https://example.com/x.sh', filePath: 'x.sh' })).toMatchObject({
      statusCode: 409,
      code: 'TaskExists',
    });
  });
});
