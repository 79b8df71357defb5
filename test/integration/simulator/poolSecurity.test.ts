import type { BatchManagementClient } from '@azure/arm-batch';
import { MINUTE, httpsJson, publishVersion, startTestSimulator } from '../../helpers/simulator';
import { WEU_ACCOUNT as ACCOUNT, armBatchClient } from '../../helpers/armBatch';
import type { RunningSimulator } from '../../../src/local/simulator/simulator';

/**
 * Security types between a gallery image and a Batch pool, through the real @azure/arm-batch client:
 * the pool is accepted either way (Batch asks Compute for the VMs only as it allocates) and Compute's
 * refusal comes back as the pool's resize error, with no node.
 */
let sim: RunningSimulator;
let arm: BatchManagementClient;
let trustedLaunchImage: string;
let standardImage: string;

beforeAll(async () => {
  const started = await startTestSimulator({ throttling: false });
  sim = started.sim;
  arm = armBatchClient(sim, 'pool-security');
  trustedLaunchImage = await publishVersion(sim, started.compute, {
    definition: 'ubuntu2204-tl',
    features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
  });
  standardImage = await publishVersion(sim, started.compute, { definition: 'ubuntu2204-std' });
});
afterAll(() => sim.stop());

async function poolFrom(name: string, image: string, securityProfile?: Record<string, unknown>) {
  await arm.poolOperations.create('rg-batch-weu', 'batchrenderweu', name, {
    vmSize: 'Standard_D4s_v5',
    deploymentConfiguration: {
      virtualMachineConfiguration: {
        imageReference: { id: image },
        nodeAgentSkuId: 'batch.node.ubuntu 22.04',
        ...(securityProfile ? { securityProfile } : {}),
      },
    },
    scaleSettings: { fixedScale: { targetDedicatedNodes: 4, resizeTimeout: 'PT15M' } },
  });
}

const settle = async (name: string) => {
  sim.clock.advance(30 * MINUTE);
  return arm.poolOperations.get('rg-batch-weu', 'batchrenderweu', name);
};

const TRUSTED_LAUNCH = {
  securityType: 'trustedLaunch',
  uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
};

describe('pool security types (management API 2023-11-01 SecurityProfile)', () => {
  it('allocates no node of a pool without securityProfile from a TrustedLaunch-only image', async () => {
    await poolFrom('tl-none', trustedLaunchImage);
    const pool = await settle('tl-none');
    expect(pool.currentDedicatedNodes).toBe(0);
    expect(pool.resizeOperationStatus?.errors?.[0]?.message).toMatch(
      /only supports creation of VMs and VM Scale Sets with 'TrustedLaunch' security type/,
    );
  });

  it('allocates a Trusted Launch pool from that image and keeps the profile as sent', async () => {
    await poolFrom('tl-ok', trustedLaunchImage, TRUSTED_LAUNCH);
    const pool = await settle('tl-ok');
    expect(pool.currentDedicatedNodes).toBe(4);
    expect(pool.resizeOperationStatus?.errors).toBeUndefined();
    expect(pool.deploymentConfiguration?.virtualMachineConfiguration?.securityProfile).toEqual(
      TRUSTED_LAUNCH,
    );
  });

  it('allocates no Trusted Launch VM from a Standard image', async () => {
    await poolFrom('std-tl', standardImage, TRUSTED_LAUNCH);
    const pool = await settle('std-tl');
    expect(pool.currentDedicatedNodes).toBe(0);
    expect(pool.resizeOperationStatus?.errors?.[0]?.message).toMatch(
      /does not support creation .* 'TrustedLaunch'/,
    );
  });

  // @azure/arm-batch 9.1.0 models securityType as a constant (it always sends trustedLaunch), so the
  // shape rules are checked with raw PUTs, as other clients (templates, Terraform) can send anything.
  it('refuses a security type outside the API’s enum, and uefiSettings without one, when the pool is written', async () => {
    const put = (name: string, securityProfile: Record<string, unknown>) =>
      httpsJson(`${sim.armUrl}${ACCOUNT}/pools/${name}?api-version=2023-11-01`, sim.caCert, 'PUT', {
        properties: {
          vmSize: 'Standard_D4s_v5',
          deploymentConfiguration: {
            virtualMachineConfiguration: {
              imageReference: { id: trustedLaunchImage },
              nodeAgentSkuId: 'batch.node.ubuntu 22.04',
              securityProfile,
            },
          },
        },
      });
    const badType = await put('bad-type', { securityType: 'confidentialVM' });
    expect(badType.status).toBe(400);
    expect(badType.body.error).toMatchObject({
      code: 'InvalidPropertyValue',
      target: 'securityProfile.securityType',
    });
    const noType = await put('bad-uefi', { uefiSettings: { secureBootEnabled: true } });
    expect(noType.status).toBe(400);
    expect(noType.body.error.target).toBe('securityProfile.uefiSettings');
  });
});
