import { startTestWorld, type TestWorld } from '../helpers/world';
import { exampleInput } from '../helpers/requests';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { computeClient } from '../../src/azure/clients';
import { SimulatorCredential } from '../../src/azure/credentials';
import { readScenario } from '../../src/local/simulator/scenario';
import { RG, SUB } from '../helpers/simulator';

jest.setTimeout(120_000);

/**
 * Issue #12 end to end: a Trusted Launch build VM and an Arm64 build VM become definitions with the
 * matching SecurityType and architecture and then pools; a Confidential VM is refused at preflight.
 * One world holds the three build VMs of the trusted-launch-vm, arm64-vm and confidential-vm scenarios.
 */
function worldScenario() {
  const scenario = readScenario('demo');
  const others = ['trusted-launch-vm', 'arm64-vm', 'confidential-vm'].map((name) => readScenario(name));
  scenario.virtualMachines = [
    ...(scenario.virtualMachines ?? []),
    ...others.flatMap((s) => s.virtualMachines ?? []),
  ];
  // The arm64-vm scenario's accounts list an Arm64 image for the Ubuntu 22.04 node agent too.
  const arm64Accounts = others[1]!.batchAccounts!;
  scenario.batchAccounts = scenario.batchAccounts?.map((a) => ({
    ...a,
    supportedImages: arm64Accounts[0]!.supportedImages,
  }));
  return scenario;
}

const VM = (name: string) => `${RG('rg-render-build')}/providers/Microsoft.Compute/virtualMachines/${name}`;

function requestFrom(vm: string, name: string, vmSize: string) {
  const input = exampleInput() as Record<string, any>;
  input.requestId = `sectypes-${name}`;
  input.source.id = VM(vm);
  input.image.definition = `ubuntu2204-${name}`;
  input.image.identifier = { publisher: 'contoso', offer: 'render', sku: name };
  input.pools[0].poolId = `${name}-1-4-0`;
  input.pools[0].vmSize = vmSize;
  delete input.pools[0].replaces;
  return input;
}

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld({ scenario: worldScenario() });
  await world.startHost();
});
afterAll(() => world?.stop());

const definitionOf = (name: string) =>
  computeClient(
    { armEndpoint: world.simulator.armUrl, ca: world.simulator.caCert },
    new SimulatorCredential(),
    SUB,
  ).galleryImages.get('rg-hpc-images', 'galHpcImages', `ubuntu2204-${name}`);

describe('security types end to end', () => {
  it('Trusted Launch and Arm64 build VMs run to pools, each definition with its SecurityType and architecture', async () => {
    await world.enqueue(JSON.stringify(requestFrom('vm-tl-build', 'tl', 'Standard_D4s_v5')));
    await world.enqueue(JSON.stringify(requestFrom('vm-arm64-build', 'arm', 'Standard_D4ps_v5')));
    for (const name of ['tl', 'arm']) {
      const status = await world.waitForStatus(pipelineInstanceId(`sectypes-${name}`));
      expect({ name, runtimeStatus: status.runtimeStatus }).toEqual({ name, runtimeStatus: 'Completed' });
      expect(status.output).toMatchObject({ poolsReady: [`${name}-1-4-0`], poolsFailed: [] });
    }
    const tl = await definitionOf('tl');
    expect(tl.features).toEqual([{ name: 'SecurityType', value: 'TrustedLaunch' }]);
    expect(tl.architecture).toBe('x64');
    const arm = await definitionOf('arm');
    expect(arm.features).toBeUndefined();
    expect(arm.architecture).toBe('Arm64');
    // The pools as the simulator received them: the Trusted Launch image's pool carries the profile
    // (without it Batch's allocation fails), the Arm64 (Standard) image's pool carries none.
    const pools = Object.values(world.simulator.world.state.batchAccounts).flatMap((a) =>
      Object.values(a.pools),
    );
    const vmcOf = (id: string) =>
      (pools.find((p) => p.id === id)?.arm?.properties as Record<string, any> | undefined)
        ?.deploymentConfiguration.virtualMachineConfiguration;
    expect(vmcOf('tl-1-4-0')?.securityProfile).toEqual({
      securityType: 'trustedLaunch',
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
    });
    expect(vmcOf('arm-1-4-0')).toBeDefined();
    expect(vmcOf('arm-1-4-0')?.securityProfile).toBeUndefined();
  });

  it('refuses the Confidential VM at preflight with the finding and its fix', async () => {
    await world.enqueue(JSON.stringify(requestFrom('vm-cvm-build', 'cvm', 'Standard_D4s_v5')));
    const status = await world.waitForStatus(pipelineInstanceId('sectypes-cvm'));
    expect(status.runtimeStatus).toBe('Failed');
    const failed = (await world.receiveEvents(50, 1500))
      .map((m) => m.body as any)
      .find((e) => e.type.endsWith('Pipeline.Failed') && e.data.requestId === 'sectypes-cvm');
    expect(failed.data.stage).toBe('preflight');
    const codes = failed.data.findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('BATCH_CONFIDENTIAL_VM_UNSUPPORTED');
    await expect(definitionOf('cvm')).rejects.toMatchObject({ statusCode: 404 });
  });
});
