import type { TestWorld } from '../helpers/world';
import { useFileWorld } from '../helpers/fileWorld';
import { readScenario, type ScenarioVm } from '../../src/local/simulator/scenario';
import { pipelineInstanceId } from '../../src/domain/pipeline';
import { smallRequest } from './requests';

/**
 * A corpus of bad inputs through the real queue (and HTTP for what a queue cannot carry). Each must
 * end in a clear error naming the field, and nothing may be lost: every message comes out as a
 * Pipeline.Failed event plus either a poison-queue entry (refused at intake) or a failed pipeline
 * (refused at preflight, with facts only Azure knows).
 */
jest.setTimeout(240_000);
const VM_BASE =
  '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/';
let world: TestWorld;
/** The demo scenario plus one VM per preflight refusal. */
function badVmScenario() {
  const scenario = readScenario('demo');
  const base = scenario.virtualMachines![0]!;
  const variant = (name: string, edit: (vm: ScenarioVm) => void): ScenarioVm => {
    const vm = structuredClone(base);
    vm.id = `${VM_BASE}${name}`;
    vm.osDisk = { ...vm.osDisk, name: `${name}-os` };
    vm.dataDisks = [];
    edit(vm);
    return vm;
  };
  scenario.virtualMachines!.push(
    variant('vm-specialized', (vm) => (vm.osState = 'Specialized')),
    variant('vm-encrypted', (vm) => (vm.osDisk.encrypted = true)),
    variant(
      'vm-extensions',
      (vm) =>
        (vm.extensions = [
          { name: 'CustomScript', publisher: 'Microsoft.Azure.Extensions', type: 'CustomScript' },
        ]),
    ),
    variant('vm-windows', (vm) => (vm.osType = 'Windows')),
    variant('vm-plan', (vm) => (vm.plan = { name: 'hpc', publisher: 'acme', product: 'render-os' })),
  );
  return scenario;
}
useFileWorld(
  () => ({ speed: 600, scenario: badVmScenario() }),
  (w) => (world = w),
);

type Case = [name: string, body: string, path: string, code: string];
const json = (n: number, edit: (i: Record<string, any>) => void) => JSON.stringify(smallRequest(n, edit));

/** Refused at intake: fact-free rules. */
const INTAKE: Case[] = [
  ['malformed JSON', '{"requestId": "x", ', '', 'REQUEST_NOT_JSON'],
  ['JSON with a trailing comma', '{"requestId": "x",}', '', 'REQUEST_NOT_JSON'],
  ['an empty body', '   ', '', 'REQUEST_NOT_JSON'],
  ['an array instead of an object', '[1,2]', '', 'FIELD_INVALID'],
  ['a string instead of an object', '"build please"', '', 'FIELD_INVALID'],
  ['missing requestId', json(101, (i) => delete i.requestId), 'requestId', 'FIELD_REQUIRED'],
  ['missing source', json(102, (i) => delete i.source), 'source', 'FIELD_REQUIRED'],
  ['missing image', json(103, (i) => delete i.image), 'image', 'FIELD_REQUIRED'],
  [
    'missing image.identifier',
    json(104, (i) => delete i.image.identifier),
    'image.identifier',
    'FIELD_REQUIRED',
  ],
  [
    'missing pools[0].account',
    json(105, (i) => delete i.pools[0].account),
    'pools[0].account',
    'FIELD_REQUIRED',
  ],
  [
    'missing pools[0].vmSize',
    json(106, (i) => delete i.pools[0].vmSize),
    'pools[0].vmSize',
    'FIELD_REQUIRED',
  ],
  [
    'missing pools[0].nodeAgentSkuId',
    json(107, (i) => delete i.pools[0].nodeAgentSkuId),
    'pools[0].nodeAgentSkuId',
    'FIELD_REQUIRED',
  ],
  [
    'nodes as a string',
    json(108, (i) => (i.pools[0].targetDedicatedNodes = '20')),
    'pools[0].targetDedicatedNodes',
    'FIELD_INVALID',
  ],
  [
    'negative nodes',
    json(109, (i) => (i.pools[0].targetLowPriorityNodes = -5)),
    'pools[0].targetLowPriorityNodes',
    'FIELD_INVALID',
  ],
  ['osType in the wrong case', json(110, (i) => (i.image.osType = 'linux')), 'image.osType', 'FIELD_INVALID'],
  [
    'a fractional headroom',
    json(111, (i) => (i.replication.headroomPercent = 12.5)),
    'replication.headroomPercent',
    'FIELD_INVALID',
  ],
  [
    'an unknown field (typo)',
    json(112, (i) => (i.pools[0].targetDedicatedNode = 20)),
    'pools[0].targetDedicatedNode',
    'FIELD_UNKNOWN',
  ],
  [
    'a source id without a GUID subscription',
    json(113, (i) => (i.source.id = i.source.id.replace('6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f', 'my-sub'))),
    'source.id',
    'RESOURCE_ID_INVALID',
  ],
  [
    'a galleryId that is a VM',
    json(114, (i) => (i.image.galleryId = i.source.id)),
    'image.galleryId',
    'RESOURCE_ID_WRONG_TYPE',
  ],
  [
    'an account id of the wrong provider',
    json(
      115,
      (i) =>
        (i.pools[0].account.id = i.pools[0].account.id.replace(
          'Microsoft.Batch/batchAccounts',
          'Microsoft.Compute/disks',
        )),
    ),
    'pools[0].account.id',
    'RESOURCE_ID_WRONG_TYPE',
  ],
  [
    'a relative resource id',
    json(116, (i) => (i.source.id = 'vm-render-build')),
    'source.id',
    'RESOURCE_ID_INVALID',
  ],
  [
    'a pool id too long',
    json(117, (i) => (i.pools[0].poolId = 'p'.repeat(70))),
    'pools[0].poolId',
    'POOL_ID_INVALID',
  ],
  [
    'a pool id with dots',
    json(118, (i) => (i.pools[0].poolId = 'render.1.4')),
    'pools[0].poolId',
    'POOL_ID_INVALID',
  ],
  [
    'a pool that replaces itself',
    json(119, (i) => (i.pools[0].replaces = i.pools[0].poolId)),
    'pools[0].replaces',
    'POOL_REPLACES_ITSELF',
  ],
  [
    'two pools with one id',
    json(120, (i) => i.pools.push({ ...i.pools[0] })),
    'pools[1].poolId',
    'POOL_ID_DUPLICATE',
  ],
  [
    'a node agent SKU for the wrong OS',
    json(121, (i) => (i.pools[0].nodeAgentSkuId = 'batch.node.windows amd64')),
    'pools[0].nodeAgentSkuId',
    'NODE_AGENT_SKU_OS_MISMATCH',
  ],
  [
    'something that is not a node agent SKU',
    json(122, (i) => (i.pools[0].nodeAgentSkuId = 'ubuntu-22.04')),
    'pools[0].nodeAgentSkuId',
    'NODE_AGENT_SKU_INVALID',
  ],
  [
    'a resize timeout too short for the pool',
    json(123, (i) => Object.assign(i.pools[0], { targetDedicatedNodes: 2500, resizeTimeout: 'PT30M' })),
    'pools[0].resizeTimeout',
    'RESIZE_TIMEOUT_TOO_SHORT',
  ],
  [
    'a resize timeout under Batch’s minimum',
    json(124, (i) => (i.pools[0].resizeTimeout = 'PT3M')),
    'pools[0].resizeTimeout',
    'RESIZE_TIMEOUT_BELOW_BATCH_MINIMUM',
  ],
  [
    'a resize timeout that is not ISO-8601',
    json(125, (i) => (i.pools[0].resizeTimeout = '45 minutes')),
    'pools[0].resizeTimeout',
    'RESIZE_TIMEOUT_INVALID',
  ],
  [
    'more nodes than 100 replicas can serve',
    json(126, (i) => (i.pools[0].targetDedicatedNodes = 40_000)),
    'pools[0]',
    'REPLICA_LIMIT_EXCEEDED',
  ],
  ['a malformed version', json(127, (i) => (i.image.version = 'v1.4')), 'image.version', 'FIELD_INVALID'],
  [
    'an invalid definition name',
    json(128, (i) => (i.image.definition = 'render image')),
    'image.definition',
    'FIELD_INVALID',
  ],
  [
    'an endpoint of another account',
    json(129, (i) => (i.pools[0].account.endpoint = 'https://otheraccount.westeurope.batch.azure.com')),
    'pools[0].account.endpoint',
    'ACCOUNT_ENDPOINT_MISMATCH',
  ],
  ['a requestId with spaces', json(130, (i) => (i.requestId = 'my build')), 'requestId', 'FIELD_INVALID'],
  ['no pools and no regions', json(131, (i) => (i.pools = [])), 'pools', 'NO_TARGET_REGIONS'],
];

/** Refused at preflight: only Azure knows these facts. */
const PREFLIGHT: [name: string, vm: string, code: string][] = [
  ['a specialized image', 'vm-specialized', 'SOURCE_NOT_GENERALIZED'],
  ['an encrypted OS disk', 'vm-encrypted', 'OS_DISK_ENCRYPTED'],
  ['a VM with extensions', 'vm-extensions', 'VM_EXTENSIONS_INSTALLED'],
  ['a Windows VM for a Linux definition', 'vm-windows', 'SOURCE_OS_TYPE_MISMATCH'],
  ['a base image with a purchase plan', 'vm-plan', 'PURCHASE_PLAN_PRESENT'],
  ['a VM that does not exist', 'vm-nowhere', 'SOURCE_NOT_FOUND'],
];

describe('bad inputs', () => {
  it(`refuses ${INTAKE.length} bad requests at intake: each in the poison queue, each with a failure event naming the field`, async () => {
    for (const [, body] of INTAKE) await world.enqueue(body);
    for (let i = 0; i < 150 && (await world.queueLength('build-requests-poison')) < INTAKE.length; i++)
      await new Promise((r) => setTimeout(r, 200));
    const poison = await world.queueMessages('build-requests-poison');
    expect(poison.sort()).toEqual(INTAKE.map(([, body]) => body).sort());
    const failures = (await world.receiveEvents(200, 1500)).map(
      (m) =>
        m.body as {
          type: string;
          data: { stage: string; findings: { code: string; path: string; message: string }[] };
        },
    );
    expect(failures.every((e) => e.type.endsWith('Pipeline.Failed') && e.data.stage === 'validation')).toBe(
      true,
    );
    for (const [name, , path, code] of INTAKE) {
      const match = failures.find((e) => e.data.findings.some((f) => f.code === code && f.path === path));
      expect({ name, found: Boolean(match) }).toEqual({ name, found: true });
      const finding = match!.data.findings.find((f) => f.code === code && f.path === path)!;
      if (path)
        expect(finding.message).toContain(
          path
            .split('.')
            .at(-1)!
            .replace(/\[\d+\]/, ''),
        );
    }
    expect(failures).toHaveLength(INTAKE.length);
  });

  it.each(PREFLIGHT)(
    'refuses %s at preflight with a clear finding, and creates nothing',
    async (_name, vm, code) => {
      const requestId = `bad-${vm}`;
      await world.enqueue(
        JSON.stringify(
          smallRequest(vm, (i) =>
            Object.assign(i, { requestId, source: { type: 'virtualMachine', id: `${VM_BASE}${vm}` } }),
          ),
        ),
      );
      const status = await world.waitForStatus(
        pipelineInstanceId(requestId),
        ['Completed', 'Failed'],
        60_000,
      );
      expect(status.runtimeStatus).toBe('Failed');
      const events = (await world.receiveEvents(50, 1000)).map((m) => m.body as any);
      const failed = events.find((e) => e.type.endsWith('Pipeline.Failed') && e.data.requestId === requestId);
      expect({
        types: events.map((e) => `${e.type} ${e.data.requestId}`),
        found: Boolean(failed),
      }).toMatchObject({ found: true });
      expect(failed.data.stage).toBe('preflight');
      expect(failed.data.findings.map((f: { code: string }) => f.code)).toContain(code);
      expect(
        world.simulator.recorder
          .since(0)
          .some((r) => r.method === 'PUT' && r.path.includes(`bif-${requestId}`)),
      ).toBe(false);
    },
  );

  it('refuses a body too large for a queue message over HTTP with 413 naming the limit', async () => {
    const body = JSON.stringify(
      smallRequest(140, (i) => (i.pools[0].startTask = { commandLine: 'x'.repeat(70 * 1024) })),
    );
    const response = await world.postJson('/api/builds', body);
    expect(response.status).toBe(413);
    expect(response.body.error).toMatch(/larger than 49152 bytes/);
  });
});
