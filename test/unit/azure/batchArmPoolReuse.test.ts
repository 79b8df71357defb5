import type { Pool } from '@azure/arm-batch';
import { judgeExistingPool } from '../../../src/azure/batchArmPoolReuse';
import type { PoolSpec } from '../../../src/ports/batch';

const IMAGE = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/';
const spec = (version: string, requestId = 'req-a'): PoolSpec =>
  ({
    poolId: 'p',
    vmSize: 'Standard_D4s_v5',
    imageVersionId: `${IMAGE}${version}`,
    metadata: [{ name: 'bif-request', value: requestId }],
  }) as PoolSpec;
const pool = (version: string, extra: Partial<Pool> = {}, requestId: string | null = 'req-a'): Pool => ({
  vmSize: 'standard_d4s_v5', // Batch reports sizes lower-cased
  deploymentConfiguration: {
    virtualMachineConfiguration: { imageReference: { id: `${IMAGE}${version}` }, nodeAgentSkuId: 'x' },
  },
  provisioningState: 'Succeeded',
  allocationState: 'Resizing',
  scaleSettings: { fixedScale: { targetDedicatedNodes: 50 } },
  currentDedicatedNodes: 10,
  ...(requestId ? { metadata: [{ name: 'bif-request', value: requestId }] } : {}),
  ...extra,
});

describe('a pool already at the id a build wants', () => {
  it('adopts its own pool whatever the VM size’s case (Azure size names are case-insensitive)', () => {
    expect(judgeExistingPool(pool('1.0.0'), spec('1.0.0'))).toBe('adopt');
  });

  it('replaces a pool an earlier run of the same request made on another image', () => {
    expect(judgeExistingPool(pool('1.0.0'), spec('1.0.1'))).toBe('replace');
  });

  it('replaces its own pool that went steady short of nodes or with resize errors', () => {
    const steady = { allocationState: 'Steady' as const };
    expect(judgeExistingPool(pool('1.0.0', steady), spec('1.0.0'))).toBe('replace');
    const errors = {
      ...steady,
      currentDedicatedNodes: 50,
      resizeOperationStatus: { errors: [{ code: 'X', message: 'm' }] },
    };
    expect(judgeExistingPool(pool('1.0.0', errors), spec('1.0.0'))).toBe('replace');
    expect(judgeExistingPool(pool('1.0.0', { ...steady, currentDedicatedNodes: 50 }), spec('1.0.0'))).toBe(
      'adopt',
    );
  });

  it('never replaces another request’s pool, nor one without the factory’s metadata', () => {
    expect(judgeExistingPool(pool('1.0.0', {}, 'req-b'), spec('1.0.1'))).toBe('conflict');
    expect(judgeExistingPool(pool('1.0.0', {}, null), spec('1.0.1'))).toBe('conflict');
    expect(judgeExistingPool(pool('1.0.0', { allocationState: 'Steady' }, 'req-b'), spec('1.0.0'))).toBe(
      'adopt',
    );
  });

  it('waits for a pool that is being deleted', () => {
    expect(judgeExistingPool(pool('1.0.0', { provisioningState: 'Deleting' }, 'req-b'), spec('1.0.1'))).toBe(
      'wait',
    );
  });
});
