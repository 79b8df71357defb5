import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handleGalleryEvent } from '../../../src/triggers/galleryEvents';
import { submitBuild } from '../../../src/triggers/intake';
import { planRefresh, readWatchedVersions } from '../../../src/triggers/refresh';
import {
  DEFAULT_ORCHESTRATION_SETTINGS,
  OWNER_TAG,
  pipelineInstanceId,
  rolloutInstanceId,
} from '../../../src/domain/pipeline';
import type { DurableStarter } from '../../../src/triggers/starter';
import { FakeWorld } from '../../helpers/fakes';
import { ACCOUNT, DEFINITION, GALLERY, watchingFactory } from '../../helpers/factory';
import { TransientError } from '../../../src/domain/errors';
import { exampleInput, SUB_A, VECTORS } from '../../helpers/requests';

const VERSION = `${DEFINITION}/versions/2.0.0`;

function fakeStarter() {
  const instances = new Map<string, { orchestrator: string; input: any }>();
  const starter: DurableStarter = {
    endEarlierChildren: async () => [],
    runtimeStatus: async (id) => (instances.has(id) ? 'Running' : undefined),
    start: async (orchestrator, id, input) => {
      if (instances.has(id)) return 'exists';
      instances.set(id, { orchestrator, input });
      return 'started';
    },
  };
  return { starter, instances };
}
const log = {
  lines: [] as string[],
  info(m: string) {
    this.lines.push(m);
  },
  warn(m: string) {
    this.lines.push(m);
  },
};

const factory = watchingFactory({
  every: 'P7D',
  source: {
    type: 'virtualMachine',
    id: `/subscriptions/${SUB_A}/resourceGroups/rg-render-build/providers/Microsoft.Compute/virtualMachines/vm-render-build`,
  },
});

const sample = JSON.parse(
  readFileSync(join(VECTORS, 'eventgrid/event-grid-schema/resource_write_success.json'), 'utf8'),
);
const writeOf = (id: string) => ({
  ...sample,
  subject: id,
  data: {
    ...sample.data,
    resourceUri: id,
    operationName: 'Microsoft.Compute/galleries/images/versions/write',
  },
});

async function withVersions(w: FakeWorld, versions: { name: string; tags?: Record<string, string> }[]) {
  w.galleries.set(GALLERY.toLowerCase(), 'westeurope');
  for (const v of versions) {
    await w.gallery.beginImageVersion({
      id: `${DEFINITION}/versions/${v.name}`,
      location: 'westeurope',
      source: { managedImageId: 'x' },
      targetRegions: [{ name: 'westeurope', replicaCount: 1, storageAccountType: 'Standard_LRS' }],
      excludeFromLatest: false,
      tags: v.tags,
    });
  }
}

describe('galleryEvents', () => {
  it('starts one rollout of the followers for a new version, replacing the previous version’s pools', async () => {
    const w = new FakeWorld();
    await withVersions(w, [{ name: '1.9.0' }, { name: '2.0.0' }]);
    const { starter, instances } = fakeStarter();
    const deps = { factory, gallery: w.gallery, starter, log, settings: DEFAULT_ORCHESTRATION_SETTINGS };
    expect(await handleGalleryEvent(writeOf(VERSION), deps)).toEqual({
      action: 'started',
      instanceId: rolloutInstanceId(VERSION),
      versionId: VERSION,
    });
    const input = instances.get(rolloutInstanceId(VERSION))!.input;
    expect(input.pools[0]).toMatchObject({
      poolId: 'render-2-0-0',
      replaces: 'render-1-9-0',
      spec: { resizeTimeout: 'PT45M', imageVersionId: VERSION },
    });
    expect(input.targetRegions).toEqual([
      { name: 'westeurope', replicaCount: 12, storageAccountType: 'Standard_LRS' },
    ]);
    // Duplicate delivery, and the same write in CloudEvents schema: no second rollout.
    expect((await handleGalleryEvent(writeOf(VERSION), deps)).action).toBe('duplicate');
    expect(
      (
        await handleGalleryEvent(
          {
            specversion: '1.0',
            type: sample.eventType,
            source: 'x',
            id: '1',
            subject: VERSION,
            data: writeOf(VERSION).data,
          },
          deps,
        )
      ).action,
    ).toBe('duplicate');
    expect(instances.size).toBe(1);
  });

  it.each([
    [
      'a delete',
      { ...writeOf(VERSION), eventType: 'Microsoft.Resources.ResourceDeleteSuccess' },
      /not Microsoft.Resources.ResourceWriteSuccess/,
    ],
    ['another resource type', sample, /not an image version write/],
    ['a definition nobody watches', writeOf(VERSION.replace('ubuntu2204-render', 'other')), /not watched/],
    ['a version that is gone', writeOf(`${DEFINITION}/versions/9.9.9`), /no longer exists/],
    ['not an event at all', 42, /not an Event Grid or CloudEvents event/],
  ])('ignores %s, saying why', async (_name, event, reason) => {
    const w = new FakeWorld();
    await withVersions(w, [{ name: '2.0.0' }]);
    const { starter, instances } = fakeStarter();
    const decision = await handleGalleryEvent(event, {
      factory,
      gallery: w.gallery,
      starter,
      log,
      settings: DEFAULT_ORCHESTRATION_SETTINGS,
    });
    expect(decision.action).toBe('ignored');
    expect((decision as { reason: string }).reason).toMatch(reason);
    expect(instances.size).toBe(0);
  });

  const updateOf = (id: string, method: string) => ({
    ...writeOf(id),
    data: {
      ...writeOf(id).data,
      // Shape of the official delete sample's httpRequest (event-schema-resource-groups.md).
      httpRequest: {
        clientRequestId: 'c1',
        clientIpAddress: '10.0.0.1',
        method,
        url: `https://management.azure.com${id}?api-version=2025-03-03`,
      },
    },
  });
  const decide = async (event: unknown, versions: string[]) => {
    const w = new FakeWorld();
    await withVersions(
      w,
      versions.map((name) => ({ name })),
    );
    const { starter, instances } = fakeStarter();
    const decision = await handleGalleryEvent(event, {
      factory,
      gallery: w.gallery,
      starter,
      log,
      settings: DEFAULT_ORCHESTRATION_SETTINGS,
    });
    return { decision, started: instances.size };
  };

  it('ignores an update (PATCH) of a version — retention retiring it, a replica change — in either schema', async () => {
    const patch = updateOf(VERSION, 'PATCH');
    for (const event of [
      patch,
      { specversion: '1.0', type: patch.eventType, source: 'x', id: '2', subject: VERSION, data: patch.data },
    ]) {
      const { decision, started } = await decide(event, ['2.0.0']);
      expect(decision).toEqual({
        action: 'ignored',
        reason: expect.stringMatching(/PATCH.*not a new version/),
      });
      expect(started).toBe(0);
    }
  });

  it('ignores a write of a version older than the newest one of its definition, naming the newest', async () => {
    const { decision, started } = await decide(writeOf(VERSION), ['2.0.0', '2.1.0', '1.0.0']);
    expect(decision).toEqual({
      action: 'ignored',
      reason: expect.stringMatching(/2\.0\.0 is older than 2\.1\.0, the newest version of/),
    });
    expect(started).toBe(0);
  });

  it('ignores a PUT over an existing version (ARM adds httpRequest to updates, never to a creation)', async () => {
    const { decision, started } = await decide(updateOf(VERSION, 'PUT'), ['1.9.0', '2.0.0']);
    expect(decision).toEqual({ action: 'ignored', reason: expect.stringMatching(/was updated \(PUT\)/) });
    expect(started).toBe(0);
  });

  it('leaves a version our own pipeline wrote to that pipeline', async () => {
    const w = new FakeWorld();
    await withVersions(w, [{ name: '2.0.0', tags: { [OWNER_TAG]: 'bif-render-1' } }]);
    const { starter, instances } = fakeStarter();
    const decision = await handleGalleryEvent(writeOf(VERSION), {
      factory,
      gallery: w.gallery,
      starter,
      log,
      settings: DEFAULT_ORCHESTRATION_SETTINGS,
    });
    expect(decision).toEqual({
      action: 'ignored',
      reason: expect.stringMatching(/written by pipeline bif-render-1/),
    });
    expect(instances.size).toBe(0);
  });
});

describe('intake', () => {
  const deps = () => {
    const w = new FakeWorld();
    const { starter, instances } = fakeStarter();
    return {
      w,
      instances,
      deps: {
        starter,
        events: w.events,
        clock: { now: () => w.now },
        log,
        settings: DEFAULT_ORCHESTRATION_SETTINGS,
      },
    };
  };

  it('starts one pipeline per requestId; a duplicate starts nothing and says who owns it', async () => {
    const { instances, deps: d } = deps();
    const first = await submitBuild(JSON.stringify(exampleInput()), d);
    expect(first).toMatchObject({
      outcome: 'started',
      instanceId: pipelineInstanceId('render-small-2026-11-28'),
    });
    const second = await submitBuild(exampleInput(), d);
    expect(second).toEqual({
      outcome: 'duplicate',
      instanceId: first.outcome === 'started' ? first.instanceId : '',
      runtimeStatus: 'Running',
    });
    expect(instances.size).toBe(1);
    expect(log.lines.at(-1)).toMatch(/already owned by instance bif-render-small-2026-11-28/);
  });

  it('refuses an invalid request with a Pipeline.Failed event listing every finding', async () => {
    const { w, instances, deps: d } = deps();
    const input = exampleInput() as any;
    input.pools[0].targetDedicatedNodes = 40_000;
    delete input.image.osType;
    const result = await submitBuild(input, d);
    expect(result.outcome).toBe('invalid');
    expect(instances.size).toBe(0);
    expect(w.published).toHaveLength(1);
    expect(w.published[0]).toMatchObject({
      type: 'BatchImageFactory.Pipeline.Failed',
      data: { stage: 'validation', requestId: 'render-small-2026-11-28' },
    });
    expect((w.published[0]!.data as any).findings.map((f: { path: string }) => f.path)).toContain(
      'image.osType',
    );
  });

  it('refuses a body over 48 KiB (more than a base64 queue message of 64 KiB can carry)', async () => {
    const { deps: d } = deps();
    const input = exampleInput() as any;
    input.pools[0].startTask = { commandLine: 'x'.repeat(50_000) };
    const result = await submitBuild(JSON.stringify(input), d);
    expect(result).toMatchObject({ outcome: 'invalid' });
    expect((result as { findings: { message: string }[] }).findings[0]!.message).toMatch(
      /at most 49152 fit in a queue message/,
    );
  });

  it('refuses a request holding U+FFFD (most likely not sent as UTF-8), naming where and the fix', async () => {
    const { w, instances, deps: d } = deps();
    const input = exampleInput() as any;
    input.pools[0].startTask = { commandLine: "echo '\uFFFDquipe'" };
    const text = JSON.stringify(input);
    const result = await submitBuild(text, d);
    expect(instances.size).toBe(0);
    expect(result).toMatchObject({ outcome: 'invalid', requestId: 'render-small-2026-11-28' });
    expect((result as { findings: { code: string; message: string }[] }).findings).toEqual([
      expect.objectContaining({
        code: 'FIELD_INVALID',
        message: expect.stringContaining(
          `contains U+FFFD (the replacement character) at character ${text.indexOf('\uFFFD')}: the request was most likely not sent as UTF-8. Encode the JSON as UTF-8`,
        ),
      }),
    ]);
    expect(w.published).toHaveLength(1);
  });
});

describe('refresh planning', () => {
  it('builds the next patch of a definition whose newest version is old enough, replacing its pools', async () => {
    const w = new FakeWorld();
    await withVersions(w, [{ name: '2.0.0' }]);
    w.now = new Date(w.now.getTime() + 8 * 86_400_000);
    const plan = planRefresh(factory, await readWatchedVersions(factory, w.gallery), w.now);
    expect(plan.builds).toHaveLength(1);
    expect(plan.builds[0]).toMatchObject({
      requestId: expect.stringMatching(/^refresh-ubuntu2204-render-2\.0\.1-[0-9a-f]{10,}$/),
      image: { version: '2.0.1' },
    });
    expect(plan.builds[0]!.pools![0]).toMatchObject({ poolId: 'render-2-0-1', replaces: 'render-2-0-0' });
    expect(plan.retention).toEqual([{ definitionId: DEFINITION, keepVersions: 3, accounts: [ACCOUNT] }]);
  });

  it('does not build, and reports the definition, when listing its versions fails', async () => {
    const w = new FakeWorld();
    await withVersions(w, [{ name: '2.0.0' }]);
    w.now = new Date(w.now.getTime() + 8 * 86_400_000);
    w.gallery.listVersions = async (id) => {
      throw new TransientError(
        'Azure answered 503 ServiceUnavailable; will retry.',
        'ServiceUnavailable',
        id,
      );
    };
    const plan = planRefresh(factory, await readWatchedVersions(factory, w.gallery), w.now);
    expect(plan.builds).toEqual([]);
    expect(plan.failures).toEqual([
      {
        definitionId: DEFINITION,
        reason: expect.stringMatching(/could not list its versions.*503 ServiceUnavailable/),
      },
    ]);
  });

  it('builds 1.0.0 for a definition that does not exist yet', async () => {
    const w = new FakeWorld();
    w.galleries.set(GALLERY.toLowerCase(), 'westeurope');
    // The port lists no versions for a definition still to be made (the adapter turns Azure's 404 into
    // that: test/integration/adapters/notFound.test.ts).
    w.gallery.listVersions = async () => [];
    const plan = planRefresh(factory, await readWatchedVersions(factory, w.gallery), w.now);
    expect(plan.builds.map((b) => b.image.version)).toEqual(['1.0.0']);
    expect(plan.failures).toEqual([]);
  });

  it('does not build when the newest version is recent', async () => {
    const w = new FakeWorld();
    await withVersions(w, [{ name: '2.0.0' }]);
    expect(planRefresh(factory, await readWatchedVersions(factory, w.gallery), w.now).builds).toEqual([]);
  });
});
