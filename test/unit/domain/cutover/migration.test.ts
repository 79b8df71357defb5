import {
  MIGRATION_MARKER,
  markerFor,
  nextJobStep,
  schedulesOnPool,
  withMarker,
  withoutMarker,
  type JobReading,
} from '../../../../src/domain/cutover/migration';
import { judgeSmokeTest, smokeJobId, smokeTestSchema } from '../../../../src/domain/cutover/smokeTest';
import { poolChecks } from '../../../../src/domain/cutover/poolChecks';

const job = (over: Partial<JobReading> = {}): JobReading => ({
  jobId: 'j1',
  state: 'active',
  poolId: 'old',
  metadata: [],
  ...over,
});
const marked = (j: JobReading, from: string, to: string, wasState: 'active' | 'disabled' = 'active') =>
  job({ ...j, metadata: withMarker(j, { from, to, wasState }) });

describe('job migration plan (decided from what Batch reports)', () => {
  it('walks a job through mark → disable → wait → repool → enable → unmark → done', () => {
    expect(nextJobStep(job(), 'old', 'new')).toBe('mark');
    const m = marked(job(), 'old', 'new');
    expect(nextJobStep(m, 'old', 'new')).toBe('disable');
    expect(nextJobStep({ ...m, state: 'disabling' }, 'old', 'new')).toBe('wait');
    expect(nextJobStep({ ...m, state: 'disabled' }, 'old', 'new')).toBe('repool');
    expect(nextJobStep({ ...m, state: 'disabled', poolId: 'new' }, 'old', 'new')).toBe('enable');
    // Enabled on the new pool: the marker has done its job and is taken off the owner's metadata.
    expect(nextJobStep({ ...m, state: 'active', poolId: 'new' }, 'old', 'new')).toBe('unmark');
    const unmarked = { ...m, state: 'active', poolId: 'new', metadata: withoutMarker(m) };
    expect(unmarked.metadata).toEqual([]);
    expect(nextJobStep(unmarked, 'old', 'new')).toBe('done');
  });

  it('keeps the choice of an owner who was disabling the job: it stays disabled on the new pool', () => {
    const marker = markerFor(job({ state: 'disabling' }), 'old', 'new');
    expect(marker.wasState).toBe('disabled');
    const m = marked(job({ state: 'disabling' }), 'old', 'new', marker.wasState);
    expect(nextJobStep(m, 'old', 'new')).toBe('wait');
    expect(nextJobStep({ ...m, state: 'disabled', poolId: 'new' }, 'old', 'new')).toBe('unmark');
  });

  it('leaves a job its owner disabled disabled, and never enables a job it did not mark', () => {
    const userDisabled = job({ state: 'disabled' });
    const marker = markerFor(userDisabled, 'old', 'new');
    expect(marker.wasState).toBe('disabled');
    const m = marked(userDisabled, 'old', 'new', 'disabled');
    expect(nextJobStep({ ...m, state: 'disabled' }, 'old', 'new')).toBe('repool');
    expect(nextJobStep({ ...m, state: 'disabled', poolId: 'new' }, 'old', 'new')).toBe('unmark');
    expect(nextJobStep(job({ state: 'disabled', poolId: 'new' }), 'old', 'new')).toBe('done');
  });

  it('moves back: a job left disabled on the old pool by a stopped move is enabled again', () => {
    const stopped = marked(job({ state: 'disabled' }), 'old', 'new', 'active');
    expect(nextJobStep(stopped, 'new', 'old')).toBe('enable');
    const moved = marked(job({ poolId: 'new' }), 'old', 'new', 'active');
    expect(nextJobStep(moved, 'new', 'old')).toBe('mark');
    // The move back keeps the state the job had before the first move.
    const disabledOnNew = { ...moved, state: 'disabled' };
    expect(markerFor(disabledOnNew, 'new', 'old').wasState).toBe('active');
  });

  it('ignores ended jobs and jobs on other pools; keeps the owner’s metadata', () => {
    expect(nextJobStep(job({ state: 'completed' }), 'old', 'new')).toBe('ended');
    expect(nextJobStep(job({ poolId: 'other' }), 'old', 'new')).toBe('elsewhere');
    const meta = withMarker(job({ metadata: [{ name: 'team', value: 'render' }] }), {
      from: 'old',
      to: 'new',
      wasState: 'active',
    });
    expect(meta.map((m) => m.name)).toEqual(['team', MIGRATION_MARKER]);
    expect(withoutMarker(job({ metadata: meta }))).toEqual([{ name: 'team', value: 'render' }]);
  });

  it('matches schedules by pool, case-insensitively, and sets aside the ones that ended', () => {
    const found = schedulesOnPool(
      [
        { scheduleId: 's1', state: 'active', poolId: 'A-OLD' },
        { scheduleId: 's2', state: 'active', poolId: 'b' },
        { scheduleId: 's3', state: 'active' },
        { scheduleId: 's4', state: 'disabled', poolId: 'a-old' },
        { scheduleId: 's5', state: 'completed', poolId: 'a-old' },
        { scheduleId: 's6', state: 'terminating', poolId: 'a-old' },
        { scheduleId: 's7', state: 'deleting', poolId: 'a-old' },
      ],
      'a-old',
    );
    expect(found.move.map((s) => s.scheduleId)).toEqual(['s1', 's4']);
    expect(found.ended).toEqual(['s5', 's6', 's7']);
  });
});

describe('smoke test verdicts', () => {
  const test = smokeTestSchema.parse({
    tasks: [{ commandLine: 'a' }, { commandLine: 'b' }],
    successExitCodes: [0, 3],
  });

  it('passes only when every task completed with a success exit code', () => {
    expect(judgeSmokeTest([{ taskId: 'smoke-1', state: 'completed', exitCode: 0 }], test)).toEqual({
      kind: 'running',
    });
    expect(
      judgeSmokeTest(
        [
          { taskId: 'smoke-1', state: 'completed', exitCode: 0 },
          { taskId: 'smoke-2', state: 'completed', exitCode: 3 },
        ],
        test,
      ),
    ).toEqual({ kind: 'passed' });
  });

  it('fails at the first task with another exit code, or none (timeout), naming it', () => {
    const failed = judgeSmokeTest(
      [
        { taskId: 'smoke-1', state: 'running' },
        { taskId: 'smoke-2', state: 'completed', exitCode: 1 },
      ],
      test,
    );
    expect(failed).toMatchObject({
      kind: 'failed',
      reason: expect.stringContaining('smoke-2 exited with 1'),
    });
    expect(
      judgeSmokeTest(
        [{ taskId: 'smoke-1', state: 'completed', failure: 'MaxWallClockTimeExceeded: x' }],
        test,
      ),
    ).toMatchObject({ kind: 'failed', reason: expect.stringContaining('MaxWallClockTimeExceeded') });
    expect(judgeSmokeTest(null, test)).toMatchObject({ kind: 'failed' });
  });

  it('validates the request fields, naming the field', () => {
    const bad = smokeTestSchema.safeParse({ tasks: [{ commandLine: 'a', maxWallClockTime: 'ten minutes' }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['tasks', 0, 'maxWallClockTime']);
    const dup = smokeTestSchema.safeParse({
      tasks: [
        { id: 'x', commandLine: 'a' },
        { id: 'x', commandLine: 'b' },
      ],
    });
    expect(dup.error!.issues[0]!.path).toEqual(['tasks', 1, 'id']);
    expect(smokeJobId('p'.repeat(80))).toHaveLength(64);
  });

  it('gives two long pool ids that share their first 54 characters two smoke jobs, each a valid Batch id', () => {
    const stem = 'render-pool-'.padEnd(60, 'x');
    const [a, b] = [smokeJobId(`${stem}-blue`), smokeJobId(`${stem}-green`)];
    expect(a).not.toBe(b);
    for (const id of [a, b]) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    // Batch ids are case-insensitive: the same pool in other case is the same job.
    expect(smokeJobId(`${stem}-BLUE`).toLowerCase()).toBe(a.toLowerCase());
    expect(smokeJobId('render-a')).toBe('bif-smoke-render-a');
  });

  it('a pool overrides the request: its own test, or false for none', () => {
    expect(poolChecks({ smokeTest: test }, {})).toEqual({
      checks: { smokeTest: test, migrateJobs: false },
    });
    expect(poolChecks({ smokeTest: test }, { smokeTest: false })).toEqual({});
    expect(poolChecks({ migrateJobs: true }, { migrateJobs: false })).toEqual({});
  });
});
