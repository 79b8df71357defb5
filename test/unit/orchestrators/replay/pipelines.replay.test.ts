import { imagePipeline } from '../../../../src/orchestrators/imagePipeline';
import { rolloutVersion } from '../../../../src/orchestrators/rolloutVersion';
import {
  DEFAULT_ORCHESTRATION_SETTINGS,
  type PreflightResult,
  type RegionOutcome,
  type RolloutVersionInput,
} from '../../../../src/domain/pipeline';
import { ActionType } from '../../../../src/local/host/durable/history';
import { exampleRequest } from '../../../helpers/requests';
import { permanent, published, replay, type World } from './replayer';

/**
 * The pipelines' decisions, replayed through the durable-functions engine: which steps an existing
 * version as source takes (and skips), and how a follower rollout turns region outcomes into Completed
 * or Failed.
 */
const DEFINITION =
  '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg-hpc-images/providers/Microsoft.Compute/galleries/galHpcImages/images/ubuntu2204-render';
const VERSION = `${DEFINITION}/versions/1.3.0`;
const targetRegions = [
  { name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' as const },
  { name: 'eastus', replicaCount: 2, storageAccountType: 'Standard_LRS' as const },
];

const existingVersion = exampleRequest('one-region-small', (i) => {
  i.source = { type: 'galleryImageVersion', id: VERSION };
});

const plan: PreflightResult = {
  ok: true,
  findings: [],
  version: '1.3.0',
  definitionId: DEFINITION,
  versionId: VERSION,
  galleryLocation: 'westeurope',
  galleryExists: true,
  sourceLocation: 'westeurope',
  targetRegions,
  pools: [],
  disks: [],
  capacityByRegion: {},
};

const ok = (region: string): RegionOutcome => ({ region, replicated: true, attempts: 1, pools: [] });

function world(outcomes: Record<string, RegionOutcome>): World {
  return {
    activity(name) {
      if (name === 'preflight') return plan;
      if (name === 'updateTargetRegions') return { applied: true };
      if (name === 'publishEvents') return { ids: [] };
      if (name === 'sendToLedger') return { ledgerId: 'ledger' };
      if (name === 'sweepLeftovers') return { deleted: [] };
      if (name === 'expectTimings') return { expectations: {} };
      throw new Error(`unexpected activity ${name}`);
    },
    child: (_name, input) => outcomes[input.region] ?? ok(input.region),
    event: (name) =>
      name.endsWith('lease') ? { ok: true, version: '1.3.0', versionId: VERSION } : { ok: true, deleted: [] },
  };
}

describe('imagePipeline replayed', () => {
  it('with an existing version as source, makes every region a target and builds nothing', async () => {
    const run = await replay(
      imagePipeline,
      { request: existingVersion, settings: DEFAULT_ORCHESTRATION_SETTINGS },
      world({}),
    );
    expect(run.error).toBeUndefined();
    const names = run.calls.map((c) => c.name);
    for (const step of ['beginSnapshot', 'ensureGallery', 'ensureImageDefinition', 'createImageVersion'])
      expect(names).not.toContain(step);
    expect(run.calls.find((c) => c.name === 'updateTargetRegions')!.input).toEqual({
      versionId: VERSION,
      targetRegions,
    });
    // The lease names the source version itself, in the source's own definition's ledger.
    expect(run.calls[0]!.input.op).toMatchObject({ kind: 'lease', version: '1.3.0' });
    const children = run.turns
      .flatMap((t) => t.actions)
      .filter((a) => a.actionType === ActionType.CallSubOrchestrator);
    expect(children.map((c) => (c.input as { region: string }).region)).toEqual(['westeurope', 'eastus']);
    expect(published(run).map((e) => e.type)).toEqual([
      'BatchImageFactory.Pipeline.Accepted',
      'BatchImageFactory.Pipeline.Completed',
    ]);
  });
});

const timeline = { startedAt: '2026-11-28T00:10:00.000Z', replicatedAt: '2026-11-28T00:40:00.000Z' };
const learningWorld = (): World => {
  const base = world({
    westeurope: { ...ok('westeurope'), timeline },
    eastus: { ...ok('eastus'), timeline },
  });
  return {
    ...base,
    activity(name, input, nowMs) {
      if (name === 'expectTimings')
        return { expectations: { eastus: { replicationMs: 45 * 60_000, observations: 3 } } };
      if (name === 'recordTimings') return { recorded: 2 };
      return base.activity(name, input, nowMs);
    },
  };
};

describe('imagePipeline and learned timings, replayed', () => {
  it('carries each region’s expectation to its rollout as input, and records what each region observed', async () => {
    const run = await replay(
      imagePipeline,
      { request: existingVersion, settings: DEFAULT_ORCHESTRATION_SETTINGS },
      learningWorld(),
    );
    expect(run.error).toBeUndefined();
    const asks = run.calls.find((c) => c.name === 'expectTimings')!.input.asks;
    expect(asks).toEqual([
      { region: 'westeurope', replicaCount: 1, nodes: 0 },
      { region: 'eastus', replicaCount: 2, nodes: 0 },
    ]);
    const children = run.turns
      .flatMap((t) => t.actions)
      .filter((a) => a.actionType === ActionType.CallSubOrchestrator)
      .map((c) => c.input as { region: string; expected?: unknown });
    expect(children.map((c) => [c.region, c.expected])).toEqual([
      ['westeurope', undefined],
      ['eastus', { replicationMs: 45 * 60_000, observations: 3 }],
    ]);
    expect(run.calls.find((c) => c.name === 'recordTimings')!.input).toEqual({
      requestId: existingVersion.requestId,
      versionId: VERSION,
      regions: [
        { facts: { region: 'westeurope', replicaCount: 1, nodes: 0 }, timeline },
        { facts: { region: 'eastus', replicaCount: 2, nodes: 0 }, timeline },
      ],
    });
  });

  it('completes when learned timings cannot be read or recorded (history is a help, never a dependency)', async () => {
    const base = learningWorld();
    const failing: World = {
      ...base,
      activity(name, input, nowMs) {
        if (name === 'expectTimings' || name === 'recordTimings')
          return permanent('AuthorizationPermissionMismatch', 'table unreachable');
        return base.activity(name, input, nowMs);
      },
    };
    const run = await replay(
      imagePipeline,
      { request: existingVersion, settings: DEFAULT_ORCHESTRATION_SETTINGS },
      failing,
    );
    expect(run.error).toBeUndefined();
    expect(published(run).map((e) => e.type)).toContain('BatchImageFactory.Pipeline.Completed');
  });
});

describe('imagePipeline’s advisory timings steps', () => {
  it('calls the advisory timings steps once, without the transient retries of real steps', async () => {
    const run = await replay(
      imagePipeline,
      { request: existingVersion, settings: DEFAULT_ORCHESTRATION_SETTINGS },
      learningWorld(),
    );
    const kinds = run.turns
      .flatMap((t) => t.actions)
      .filter((a) => a.functionName === 'expectTimings' || a.functionName === 'recordTimings')
      .map((a) => [a.functionName, a.actionType]);
    expect(kinds).toEqual([
      ['expectTimings', ActionType.CallActivity],
      ['recordTimings', ActionType.CallActivity],
    ]);
  });
});

describe('rolloutVersion replayed', () => {
  const input: RolloutVersionInput = {
    requestId: 'follow-1',
    versionId: VERSION,
    targetRegions,
    pools: [],
    settings: DEFAULT_ORCHESTRATION_SETTINGS,
  };
  const withPools: RolloutVersionInput = {
    ...input,
    pools: targetRegions.map((r) => ({
      poolId: `pool-${r.name}`,
      account: { id: `acc-${r.name}`, endpoint: 'https://x', region: r.name },
      spec: {} as never,
    })),
  };

  it('completes when every region delivered, with the summary as output', async () => {
    const run = await replay(rolloutVersion, withPools, world({}));
    expect(run.error).toBeUndefined();
    expect(run.output).toEqual({
      regionsReplicated: ['westeurope', 'eastus'],
      regionsFailed: [],
      poolsReady: [],
      poolsFailed: [],
    });
    expect(published(run).map((e) => e.type)).toEqual(['BatchImageFactory.Pipeline.Completed']);
  });

  it('fails naming the region that did not replicate, and keeps what did succeed', async () => {
    const failed: RegionOutcome = {
      region: 'eastus',
      replicated: false,
      attempts: 3,
      reason: 'replication failed: quota',
      pools: [],
    };
    const run = await replay(rolloutVersion, withPools, world({ eastus: failed }));
    expect(run.error).toMatch(/Rollout of .*1\.3\.0 failed: region eastus: replication failed: quota/);
    const [event] = published(run);
    expect(event!.type).toBe('BatchImageFactory.Pipeline.Failed');
    expect(event!.data).toMatchObject({
      stage: 'rollout',
      succeeded: { imageVersionId: VERSION, regionsReplicated: ['westeurope'], poolsReady: [] },
    });
  });
});
