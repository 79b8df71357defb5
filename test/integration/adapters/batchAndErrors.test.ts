import { startSimulator, type RunningSimulator } from '../../../src/local/simulator/simulator';
import { computeClient } from '../../../src/azure/clients';
import { SimulatorCredential } from '../../../src/azure/credentials';
import {
  ACCOUNT_WEU,
  adaptersFor,
  MINUTE,
  publishVersion,
  RG,
  SUB,
  testScenario,
  VM_ID,
} from '../../helpers/simulator';
import { PermanentError, TransientError } from '../../../src/domain/errors';
import type { PoolSpec } from '../../../src/ports/batch';

let sim: RunningSimulator;
let adapters: ReturnType<typeof adaptersFor>;
let versionId: string;
beforeAll(async () => {
  sim = await startSimulator({ speed: 1, scenario: testScenario() });
  adapters = adaptersFor(sim);
  versionId = await publishVersion(
    sim,
    computeClient({ armEndpoint: sim.armUrl, ca: sim.caCert }, new SimulatorCredential(), SUB),
  );
});
afterAll(() => sim.stop());
afterEach(() => {
  sim.world.state.faults = [];
});

const spec = (overrides: Partial<PoolSpec> = {}): PoolSpec => ({
  poolId: 'render-1-0-0',
  vmSize: 'Standard_D4s_v5',
  imageVersionId: versionId,
  nodeAgentSkuId: 'batch.node.ubuntu 22.04',
  targetDedicatedNodes: 100,
  targetLowPriorityNodes: 20,
  resizeTimeout: 'PT15M',
  taskSlotsPerNode: 2,
  startTask: {
    commandLine: '/bin/true',
    waitForSuccess: true,
    maxTaskRetryCount: 0,
    environmentSettings: [],
  },
  ...overrides,
});

describe('BatchPoolsPort over the wire', () => {
  it('writes the pool through the management plane: the template and security profile arrive as sent', async () => {
    const template = {
      identity: {
        type: 'UserAssigned',
        userAssignedIdentities: {
          [`${RG('rg-id')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nodes`]: {},
        },
      },
      deploymentConfiguration: {
        virtualMachineConfiguration: {
          containerConfiguration: {
            type: 'DockerCompatible',
            containerRegistries: [{ registryServer: 'contoso.azurecr.io', username: 'u', password: 'p' }],
          },
        },
      },
      resourceTags: { team: 'render' },
    };
    const securityProfile = {
      securityType: 'trustedLaunch' as const,
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
    };
    await adapters.batch.createPool(ACCOUNT_WEU, spec({ poolId: 'render-arm', template, securityProfile }));
    const put = sim.recorder
      .since(0)
      .find((r) => r.service === 'arm' && r.method === 'PUT' && r.path.includes('/pools/render-arm?'));
    expect(put).toMatchObject({ status: 200 });
    const stored = sim.world.state.batchAccounts.batchrenderweu!.pools['render-arm']!.arm!;
    expect(stored.identity).toEqual(template.identity);
    expect(stored.properties.resourceTags).toEqual({ team: 'render' });
    // ContainerRegistry.username is the SDK's userName: it must still go out as the wire's username.
    expect(stored.properties.deploymentConfiguration).toMatchObject({
      virtualMachineConfiguration: {
        containerConfiguration:
          template.deploymentConfiguration.virtualMachineConfiguration.containerConfiguration,
        securityProfile,
        imageReference: { id: versionId },
      },
    });
    await adapters.batch.deletePool(ACCOUNT_WEU, 'render-arm');
  });

  it('lists the account’s supported images in our shape', async () => {
    const images = await adapters.batch.listSupportedImages(ACCOUNT_WEU);
    expect(images.find((i) => i.nodeAgentSKUId === 'batch.node.ubuntu 22.04')).toMatchObject({
      osType: 'linux',
      verificationType: 'verified',
      batchSupportEndOfLife: '2027-04-30T00:00:00.000Z',
    });
  });

  it('creates a pool, treats the same pool again as success, and refuses a different one naming both', async () => {
    expect(await adapters.batch.createPool(ACCOUNT_WEU, spec())).toBe('created');
    expect(await adapters.batch.createPool(ACCOUNT_WEU, spec())).toBe('exists');
    const error = await adapters.batch
      .createPool(ACCOUNT_WEU, spec({ vmSize: 'Standard_HB120rs_v3' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(
      /already exists with image .*versions\/1\.0\.0 and size standard_d4s_v5; this build wants .* size Standard_HB120rs_v3/i,
    );
  });

  it('reads allocation progress until steady', async () => {
    let pool = await adapters.batch.getPool(ACCOUNT_WEU, 'render-1-0-0');
    expect(pool).toMatchObject({
      state: 'active',
      allocationState: 'resizing',
      targetDedicatedNodes: 100,
      targetLowPriorityNodes: 20,
      resizeErrors: [],
    });
    sim.clock.advance(10 * MINUTE);
    pool = await adapters.batch.getPool(ACCOUNT_WEU, 'render-1-0-0');
    expect(pool).toMatchObject({
      allocationState: 'steady',
      currentDedicatedNodes: 100,
      currentLowPriorityNodes: 20,
    });
    expect(await adapters.batch.getPool(ACCOUNT_WEU, 'no-such-pool')).toBeUndefined();
  });

  it('drains to 0 with taskcompletion and deletes; deleting again is fine', async () => {
    await adapters.batch.resizePool(ACCOUNT_WEU, 'render-1-0-0', {
      dedicated: 0,
      lowPriority: 0,
      deallocation: 'taskcompletion',
    });
    sim.clock.advance(6 * MINUTE);
    expect(await adapters.batch.getPool(ACCOUNT_WEU, 'render-1-0-0')).toMatchObject({
      allocationState: 'steady',
      currentDedicatedNodes: 0,
    });
    await adapters.batch.deletePool(ACCOUNT_WEU, 'render-1-0-0');
    await adapters.batch.deletePool(ACCOUNT_WEU, 'render-1-0-0');
    sim.clock.advance(5 * MINUTE);
    await adapters.batch.deletePool(ACCOUNT_WEU, 'render-1-0-0');
    expect(await adapters.batch.getPool(ACCOUNT_WEU, 'render-1-0-0')).toBeUndefined();
  });

  it('maps Batch’s refusals to permanent errors with Batch’s reason', async () => {
    const error = await adapters.batch
      .createPool(ACCOUNT_WEU, spec({ poolId: 'win', nodeAgentSkuId: 'batch.node.windows amd64' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'InvalidPropertyValue' });
    expect((error as Error).message).toMatch(
      /Reason: The node agent SKU 'batch.node.windows amd64' does not match the image's OS type Linux/,
    );
    expect((error as Error).message).not.toContain('[object Object]');
  });
});

describe('error mapping under each injected fault', () => {
  const call = () => adapters.compute.inspectVirtualMachine(VM_ID);

  // Retry-After is honoured inside the SDK clients' own retry policies (these run with maxRetries 0);
  // the typed error carries no wait of its own (issue #15: retryAfterMs was never read).
  it.each([
    ['429 throttling', { kind: 'throttle' as const, retryAfterSeconds: 7 }, 'TooManyRequests'],
    ['500', { kind: 'status' as const, status: 500 }, 'InternalServerError'],
    [
      '503 with Retry-After',
      { kind: 'status' as const, status: 503, retryAfterSeconds: 3 },
      'ServiceUnavailable',
    ],
  ])('%s → TransientError with Azure’s code', async (_name, fault, code) => {
    sim.addFault({ ...fault, service: 'arm', times: 1 });
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code });
  });

  it('connection reset → TransientError', async () => {
    sim.addFault({ kind: 'reset', service: 'arm', times: 1 });
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/connection failed/);
  });

  it('Batch 503 → TransientError with Batch’s code', async () => {
    sim.addFault({ kind: 'status', status: 503, service: 'batch', times: 1, code: 'ServerBusy' });
    const error = await adapters.batch.listSupportedImages(ACCOUNT_WEU).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'ServerBusy' });
  });

  it('4xx → PermanentError naming the resource, the code and the fix', async () => {
    const error = await adapters.compute
      .inspectVirtualMachine(`${RG('rg-missing')}/providers/Microsoft.Compute/virtualMachines/x`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(
      /Reading the source VM .*rg-missing.*: Azure answered 404 ResourceGroupNotFound: Resource group 'rg-missing' could not be found\. Create the resource group or fix the resource id\./,
    );
  });

  it('an LRO that ends Failed shows up as Failed provisioning, not an exception', async () => {
    sim.addFault({ kind: 'lroFail', pathContains: 'snapshots/doomed', message: 'Copy failed.' });
    const id = `${RG('rg-render-build')}/providers/Microsoft.Compute/snapshots/doomed`;
    await adapters.compute.beginSnapshot({
      id,
      location: 'westeurope',
      sourceId: `${RG('rg-render-build')}/providers/Microsoft.Compute/disks/vm-render-build-osdisk`,
    });
    sim.clock.advance(10 * MINUTE);
    expect((await adapters.compute.getProvisioning(id)).state).toBe('Failed');
  });

  it('with SDK retries on, a throttled call waits Retry-After and succeeds', async () => {
    const patient = adaptersFor(sim, 2);
    sim.addFault({ kind: 'throttle', service: 'arm', times: 1, retryAfterSeconds: 1 });
    const vm = await patient.compute.inspectVirtualMachine(VM_ID);
    expect(vm.facts.osState).toBe('Generalized');
  });
});
