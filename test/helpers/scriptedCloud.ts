import type { VersionReplication, PoolStatus } from '../../src/ports';
import type { BuildRequest } from '../../src/domain/buildRequest';
import { PermanentError, TransientError } from '../../src/domain/errors';
import { FakeWorld, demoVm } from './fakes';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import { DurableEngine, type EngineClock } from '../../src/local/host/durable/engine';
import { VirtualClock } from '../../src/local/clock';
import { ACTIVITY_IMPLEMENTATIONS } from '../../src/activities';
import { runActivity } from '../../src/activities/result';
import { imagePipeline } from '../../src/orchestrators/imagePipeline';
import { regionRollout } from '../../src/orchestrators/regionRollout';
import { definitionLedger } from '../../src/orchestrators/definitionLedger';
import { engineInstances } from './engineInstances';
import { rolloutVersion } from '../../src/orchestrators/rolloutVersion';
import { ORCHESTRATORS } from '../../src/domain/pipeline';

/**
 * A FakeWorld whose replication and allocation move with the clock, for orchestrator tests: each region
 * replicates for its scripted minutes, may fail its first attempts, and each pool fills after a delay.
 */
export interface RegionScript {
  minutes: number;
  /** The first N attempts fail part-way. */
  failAttempts?: number;
}

export class ScriptedCloud extends FakeWorld {
  regionScripts: Record<string, RegionScript> = {};
  regionAttempts: Record<string, { attempt: number; startedAt: number }> = {};
  regionCompletedAt: Record<string, number> = {};
  poolMinutes = 20;
  failingPools: Record<string, string> = {};
  permanentPoolErrors: Record<string, string> = {};
  /** Pools whose allocation never ends (Batch stuck resizing). */
  stuckPools = new Set<string>();
  /** Old pools that never finish draining (long-running tasks). */
  stuckDrains = new Set<string>();
  /** Resources that never finish provisioning. */
  stuckProvisioning: (id: string) => boolean = () => false;
  permanentDeleteErrors: Record<string, string> = {};
  transientReplicationErrors = 0;
  replicationReads = 0;

  constructor(clock: () => number) {
    super();
    this.clock = clock;
    this.compute = this.scriptedCompute();
    this.gallery = this.scriptedGallery();
    this.batch = this.scriptedBatch();
  }

  /** Snapshots take two simulated minutes. */
  private scriptedCompute(): this['compute'] {
    const baseCompute = { ...this.compute };
    const startedAt = new Map<string, number>();
    return {
      ...baseCompute,
      beginSnapshot: async (spec) => {
        startedAt.set(spec.id.toLowerCase(), this.now.getTime());
        return baseCompute.beginSnapshot(spec);
      },
      // Snapshots take two simulated minutes.
      getProvisioning: async (id) => {
        if (this.stuckProvisioning(id)) return { id, state: 'Creating' };
        const at = startedAt.get(id.toLowerCase());
        if (at !== undefined && this.now.getTime() - at >= 2 * 60_000) return { id, state: 'Succeeded' };
        return baseCompute.getProvisioning(id);
      },
    };
  }

  /** Replication follows each region's script; failed regions count their attempts. */
  private scriptedGallery(): this['gallery'] {
    const baseGallery = { ...this.gallery };
    return {
      ...baseGallery,
      beginImageVersion: async (spec) => {
        const state = await baseGallery.beginImageVersion(spec);
        for (const r of spec.targetRegions)
          this.regionAttempts[r.name] = { attempt: 1, startedAt: this.now.getTime() };
        return state;
      },
      getReplication: async (id) => {
        this.replicationReads += 1;
        if (this.transientReplicationErrors > 0) {
          this.transientReplicationErrors -= 1;
          throw new TransientError(
            'Azure answered 503 ServiceUnavailable; will retry.',
            'ServiceUnavailable',
            id,
          );
        }
        const base = await baseGallery.getReplication(id);
        return {
          ...base,
          regions: base.targetRegions.map((r) => this.regionState(r.name)),
        } as VersionReplication;
      },
      updateTargetRegions: async (id, regions) => {
        await baseGallery.updateTargetRegions(id, regions);
        for (const r of regions) {
          if (this.regionState(r.name).state === 'Failed')
            this.regionAttempts[r.name] = {
              attempt: this.regionAttempts[r.name]!.attempt + 1,
              startedAt: this.now.getTime(),
            };
        }
      },
    };
  }

  /** Pools allocate in `poolMinutes`, unless scripted to fail, refuse, stick or never drain. */
  private scriptedBatch(): this['batch'] {
    const baseBatch = { ...this.batch };
    return {
      ...baseBatch,
      createPool: async (account, spec) => {
        if (this.permanentPoolErrors[spec.poolId]) {
          this.calls.push(`createPool ${spec.poolId}`);
          throw new PermanentError(
            this.permanentPoolErrors[spec.poolId]!,
            'InvalidPropertyValue',
            spec.poolId,
          );
        }
        const result = await baseBatch.createPool(account, spec);
        this.poolCreatedAt[spec.poolId] = this.now.getTime();
        return result;
      },
      deletePool: async (account, poolId) => {
        if (this.permanentDeleteErrors[poolId]) {
          this.calls.push(`deletePool ${poolId}`);
          throw new PermanentError(this.permanentDeleteErrors[poolId]!, 'OperationNotAllowed', poolId);
        }
        return baseBatch.deletePool(account, poolId);
      },
      getPool: async (account, poolId) => {
        const pool = await baseBatch.getPool(account, poolId);
        if (!pool || pool.allocationState !== 'resizing') return pool;
        const created = this.poolCreatedAt[poolId];
        const draining = pool.targetDedicatedNodes + pool.targetLowPriorityNodes === 0;
        if (draining ? this.stuckDrains.has(poolId) : this.stuckPools.has(poolId)) return pool;
        if (
          draining ||
          (created !== undefined && this.now.getTime() - created >= this.poolMinutes * 60_000)
        ) {
          const failure = this.failingPools[poolId];
          Object.assign(pool, {
            allocationState: 'steady',
            currentDedicatedNodes: failure ? 0 : pool.targetDedicatedNodes,
            currentLowPriorityNodes: failure ? 0 : pool.targetLowPriorityNodes,
            resizeErrors: failure ? [{ code: 'AllocationFailed', message: failure }] : [],
          } satisfies Partial<PoolStatus>);
        }
        return pool;
      },
    };
  }

  poolCreatedAt: Record<string, number> = {};

  private regionState(region: string): VersionReplication['regions'][number] {
    const script = this.regionScripts[region] ?? { minutes: 10 };
    const attempt = this.regionAttempts[region] ?? { attempt: 1, startedAt: this.now.getTime() };
    const elapsed = this.now.getTime() - attempt.startedAt;
    const duration = script.minutes * 60_000;
    if (attempt.attempt <= (script.failAttempts ?? 0) && elapsed >= duration / 2) {
      return {
        region,
        state: 'Failed',
        progress: 50,
        details: `replication to ${region} failed (scripted attempt ${attempt.attempt})`,
      };
    }
    if (elapsed >= duration) {
      this.regionCompletedAt[region] ??= attempt.startedAt + duration;
      return { region, state: 'Completed', progress: 100 };
    }
    return { region, state: 'Replicating', progress: Math.floor((100 * elapsed) / duration) };
  }
}

/**
 * The real orchestrators on the embedded engine over a ScriptedCloud: replication and allocation move
 * with a fast virtual clock. Stop the engine after the test (`stopScriptedEngines`).
 */
const startedEngines: DurableEngine[] = [];

/**
 * `clock`: a clock the test moves by hand instead of the fast virtual one. The fast one holds while the
 * engine works: at 20 000× a CPU stall of 300 ms on a loaded machine would be 100 simulated minutes, and
 * pipelines missed their own deadlines; held, time passes only while the engine waits on its timers.
 */
export function startScriptedEngine<C extends EngineClock = VirtualClock>(
  vmId: string,
  handClock?: C,
  // 'jump-when-idle' for runs that nothing outside the engine talks to while they run: simulated days of
  // waiting cost no real time (held at 20 000×, three simulated days are 13 s of idle time, more on a
  // loaded machine).
  mode: 'hold-while-busy' | 'jump-when-idle' = 'hold-while-busy',
) {
  const fastClock = handClock ? undefined : new VirtualClock({ speed: 20_000, mode });
  const clock = handClock ?? (fastClock as unknown as C);
  const cloud = new ScriptedCloud(() => clock.nowMs());
  cloud.vms.set(vmId.toLowerCase(), demoVm(vmId, false));
  const engine = new DurableEngine({
    dbPath: ':memory:',
    clock,
    maxConcurrentActivities: 8,
    maxConcurrentOrchestrations: 8,
  });
  startedEngines.push(engine);
  fastClock?.follow(engine);
  engine.registerOrchestrator(ORCHESTRATORS.imagePipeline, createOrchestrator(imagePipeline) as never);
  engine.registerOrchestrator(ORCHESTRATORS.regionRollout, createOrchestrator(regionRollout) as never);
  engine.registerOrchestrator(ORCHESTRATORS.rolloutVersion, createOrchestrator(rolloutVersion) as never);
  engine.registerOrchestrator(ORCHESTRATORS.definitionLedger, createOrchestrator(definitionLedger) as never);
  const activityCalls: Record<string, number> = {};
  for (const [name, impl] of Object.entries(ACTIVITY_IMPLEMENTATIONS)) {
    engine.registerActivity(name, (input) => {
      activityCalls[name] = (activityCalls[name] ?? 0) + 1;
      // The ledger's messaging activities reach the engine as they reach the Durable client in Azure.
      return runActivity<unknown>(() =>
        impl({ ...cloud.services(), instances: engineInstances(engine) }, input as never),
      );
    });
  }
  engine.start();
  return { clock, cloud, engine, activityCalls };
}

export async function stopScriptedEngines(): Promise<void> {
  await Promise.all(startedEngines.splice(0).map((e) => e.stop()));
}

/** A steady 100-node pool `render-sea-old` in the first pool's account: what a request's `replaces` retires. */
export async function withOldPool(cloud: ScriptedCloud, r: BuildRequest): Promise<void> {
  await cloud.batch.createPool(r.pools[0]!.account, {
    poolId: 'render-sea-old',
    vmSize: 'x',
    imageVersionId: 'old',
    nodeAgentSkuId: 'n',
    targetDedicatedNodes: 100,
    targetLowPriorityNodes: 0,
    resizeTimeout: 'PT15M',
    taskSlotsPerNode: 1,
  });
  Object.assign((await cloud.batch.getPool(r.pools[0]!.account, 'render-sea-old'))!, {
    allocationState: 'steady',
    currentDedicatedNodes: 100,
  });
}
