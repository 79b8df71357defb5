import { startTestWorld, type TestWorld } from '../../helpers/world';
import { exampleInput, SUB_A } from '../../helpers/requests';
import { pipelineInstanceId } from '../../../src/domain/pipeline';

jest.setTimeout(180_000);

/**
 * The whole pool as a template, end to end: a request whose pool carries a subnet, a user-assigned
 * identity, a start task (with a secret), an NFS mount, task slots and an autoscale formula runs through
 * the embedded host to a ready pool; the simulator's Batch management plane received every property as
 * sent. A pool whose formula cannot be evaluated is failed, not reported ready.
 */
const IDENTITY = `/subscriptions/${SUB_A}/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/render-nodes`;
const TEMPLATE = {
  identity: { type: 'UserAssigned', userAssignedIdentities: { [IDENTITY]: {} } },
  networkConfiguration: {
    subnetId: `/subscriptions/${SUB_A}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-render/subnets/batch`,
    publicIPAddressConfiguration: { provision: 'NoPublicIPAddresses' },
  },
  startTask: {
    commandLine: '/bin/bash -c "mount | grep /mnt/batch/tasks/fsmounts/assets"',
    environmentSettings: [{ name: 'LICENSE_TOKEN', value: 'render-licence-secret' }],
    userIdentity: { autoUser: { scope: 'Pool', elevationLevel: 'Admin' } },
    maxTaskRetryCount: 2,
    waitForSuccess: true,
  },
  mountConfiguration: [
    {
      nfsMountConfiguration: {
        source: 'nfs://10.0.0.4/assets',
        relativeMountPath: 'assets',
        mountOptions: '-o vers=4,minorversion=1,sec=sys',
      },
    },
  ],
  taskSlotsPerNode: 4,
  taskSchedulingPolicy: { nodeFillType: 'Pack' },
  scaleSettings: {
    autoScale: { formula: '$TargetDedicatedNodes = min(40, 12);', evaluationInterval: 'PT5M' },
  },
  targetNodeCommunicationMode: 'Simplified',
  resourceTags: { team: 'render' },
  metadata: [{ name: 'owner', value: 'render-team' }],
  userAccounts: [{ name: 'renderer', password: 'user-password-secret', elevationLevel: 'NonAdmin' }],
};

let world: TestWorld;
beforeAll(async () => {
  world = await startTestWorld();
  await world.startHost();
});
afterAll(() => world?.stop());

function request(requestId: string, poolId: string, template: Record<string, unknown>) {
  const input = exampleInput('one-region-small') as Record<string, any>;
  input.requestId = requestId;
  input.image.version = 'auto';
  const base = { ...input.pools[0], replaces: undefined };
  input.pools = [
    { ...base, poolId, targetDedicatedNodes: 0, targetLowPriorityNodes: 0, maxNodes: 40, template },
  ];
  return input;
}

it('runs a templated autoscale pool end to end; Batch received every template property as sent', async () => {
  const input = request('template-2026-11-29', 'render-template', TEMPLATE);
  await world.enqueue(JSON.stringify(input));
  const status = await world.waitForStatus(pipelineInstanceId(input.requestId), undefined, 150_000);
  expect(status.output).toMatchObject({ poolsReady: ['render-template'], poolsFailed: [] });

  const account = world.simulator.world.state.batchAccounts.batchrenderweu!;
  const pool = account.pools['render-template']!;
  const { identity, scaleSettings, metadata, ...properties } = TEMPLATE;
  expect(pool.arm?.identity).toEqual(identity);
  expect(pool.arm?.properties).toMatchObject(properties);
  expect(pool.arm?.properties.scaleSettings).toEqual(scaleSettings);
  expect(pool.arm?.properties.metadata).toEqual(expect.arrayContaining(metadata));
  // The pipeline's own: the built image and the pool's node agent SKU.
  expect(pool.arm?.properties.deploymentConfiguration).toMatchObject({
    virtualMachineConfiguration: {
      imageReference: { id: expect.stringMatching(/\/versions\/\d+\.\d+\.\d+$/) },
      nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    },
  });
  // One pool model: the data plane sees the pool made through ARM, with its formula's evaluation.
  expect(pool.autoScale).toMatchObject({ formula: TEMPLATE.scaleSettings.autoScale.formula });
  expect(pool.resize.toDedicated).toBe(12);
});

it('waits for a successful autoscale evaluation until the deadline, then fails with the last evaluation error', async () => {
  // GetSample(interval, samplePercent) wants 100% of an hour's samples: every evaluation on this young
  // pool fails with InsufficientSampleData. One failed evaluation is not the end (Batch evaluates again
  // every interval); past the pool's deadline, the last error is the reason.
  const input = request('template-unevaluated', 'render-unevaluated', {
    scaleSettings: {
      autoScale: {
        formula:
          '$TargetDedicatedNodes = max(0, avg($PendingTasks.GetSample(TimeInterval_Minute * 60, 100)));',
      },
    },
  });
  await world.enqueue(JSON.stringify(input));
  const status = await world.waitForStatus(pipelineInstanceId(input.requestId), undefined, 150_000);
  expect(status.runtimeStatus).toBe('Failed');
  expect(String(status.output)).toMatch(
    /pool render-unevaluated: no successful autoscale evaluation .* the last evaluation failed: InsufficientSampleData: .*\$PendingTasks wanted 100%, received 0%/,
  );
});

it('redacts the template secrets from status answers', async () => {
  const answer = await world.getJson(
    `/runtime/webhooks/durabletask/instances/${encodeURIComponent(pipelineInstanceId('template-2026-11-29'))}?showInput=true`,
  );
  const text = JSON.stringify(answer.body);
  expect(text).toContain('render-template');
  expect(text).not.toContain('render-licence-secret');
  expect(text).not.toContain('user-password-secret');
});
