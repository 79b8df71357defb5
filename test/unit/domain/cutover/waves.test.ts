import {
  approvalTarget,
  checkWaves,
  nextWaveStep,
  regionsByWave,
  waveLines,
  waveSchema,
  type WaveLine,
} from '../../../../src/domain/cutover/waves';
import { checkBuildRequest } from '../../../../src/domain/planRequest';
import { exampleInput, poolInput } from '../../../helpers/requests';

const wave = (regions: string[], extra: Record<string, unknown> = {}) =>
  waveSchema.parse({ regions, ...extra });
const NOW = new Date('2026-11-28T00:00:00Z');

describe('waves in a request', () => {
  it('takes defaults: no soak, no approval, a 7-day approval timeout; region names are normalised', () => {
    expect(wave(['West Europe'])).toEqual({
      regions: ['westeurope'],
      soakMinutes: 0,
      approval: false,
      approvalTimeoutMinutes: 7 * 24 * 60,
    });
  });

  it('names the field of a bad wave, and a request without waves is unchanged', () => {
    const input = exampleInput() as Record<string, any>;
    expect(checkBuildRequest(input, { now: NOW }).request?.waves).toBeUndefined();
    input.waves = [{ regions: ['westeurope'], soakMinutes: -1, approval: 'yes' }, { regions: [] }];
    const paths = checkBuildRequest(input, { now: NOW }).summary.findings.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['waves[0].soakMinutes', 'waves[0].approval', 'waves[1].regions']),
    );
  });

  it('accepts every pool region in exactly one wave, and extra regions if named', () => {
    const input = exampleInput() as Record<string, any>;
    input.pools.push(
      poolInput({
        poolId: 'eus',
        account: {
          id: input.pools[0].account.id.replace(/batchrenderweu/g, 'batchrendereus'),
          endpoint: 'https://batchrendereus.eastus.batch.azure.com',
          region: 'eastus',
        },
      }),
    );
    input.replication.extraRegions = ['northeurope'];
    input.waves = [{ regions: ['westeurope'], approval: true }, { regions: ['eastus', 'northeurope'] }];
    const checked = checkBuildRequest(input, { now: NOW });
    expect(checked.summary.findings).toEqual([]);
  });

  it('finds every problem at once: missing, duplicate and unknown regions', () => {
    const found = checkWaves(
      [wave(['westeurope', 'eastus']), wave(['eastus', 'westus'])],
      ['westeurope', 'eastus', 'southeastasia'],
    ).map((f) => [f.code, f.path]);
    expect(found).toEqual([
      ['WAVE_REGION_DUPLICATE', 'waves[1].regions[0]'],
      ['WAVE_REGION_UNKNOWN', 'waves[1].regions[1]'],
      ['WAVE_REGION_MISSING', 'waves'],
    ]);
    expect(checkWaves(undefined, ['westeurope'])).toEqual([]);
  });

  it('puts regions no wave names (replication only) in the first wave, and only rollout regions', () => {
    const waves = [wave(['eastus']), wave(['westeurope', 'westus'])];
    expect(regionsByWave(waves, ['westeurope', 'eastus', 'northeurope'])).toEqual([
      ['eastus', 'northeurope'],
      ['westeurope'],
    ]);
  });
});

describe('what may start now', () => {
  const lines = (...states: Partial<WaveLine>[]): WaveLine[] =>
    waveLines(
      states.map(() => wave(['x1x'])),
      states.map((_, i) => [`region${i + 1}`]),
    ).map((l, i) => ({ ...l, ...states[i] }));

  it('starts the first pending wave once all before it passed', () => {
    expect(nextWaveStep(lines({}, {}))).toEqual({ kind: 'start', wave: 1 });
    expect(nextWaveStep(lines({ state: 'passed' }, {}))).toEqual({ kind: 'start', wave: 2 });
    expect(nextWaveStep(lines({ state: 'passed' }, { state: 'passed' }))).toEqual({ kind: 'done' });
  });

  it('holds a wave that needs an approval until it has one, even an early one', () => {
    expect(nextWaveStep(lines({ state: 'passed' }, { approval: true }))).toEqual({
      kind: 'await-approval',
      wave: 2,
    });
    expect(nextWaveStep(lines({ state: 'passed' }, { approval: true, approvedAt: 't' }))).toEqual({
      kind: 'start',
      wave: 2,
    });
  });

  it('skips every wave after a failed one, naming it', () => {
    const after = lines({ state: 'failed' }, {}, {});
    expect(nextWaveStep(after)).toEqual({ kind: 'skip', wave: 2, reason: 'wave 1 failed' });
    after[1]!.state = 'skipped';
    expect(nextWaveStep(after)).toEqual({ kind: 'skip', wave: 3, reason: 'wave 1 failed' });
    after[2]!.state = 'skipped';
    expect(nextWaveStep(after)).toEqual({ kind: 'done' });
  });

  it('books an approval to the wave named, or the next that needs one; refuses with the next wave named', () => {
    const waves = lines({ state: 'running' }, { approval: true }, { approval: true });
    expect(approvalTarget(waves)).toEqual({ ok: true, wave: 2 });
    expect(approvalTarget(waves, 3)).toEqual({ ok: true, wave: 3 });
    expect(approvalTarget(waves, 1)).toEqual({
      ok: false,
      reason: 'wave 1 does not need an approval; the next wave is 1 (region1), running',
    });
    expect(approvalTarget(waves, 4)).toEqual({ ok: false, reason: 'there is no wave 4 (waves 1-3)' });
    waves[1]!.approvedAt = 't';
    waves[1]!.approvedBy = 'ops';
    expect(approvalTarget(waves, 2)).toMatchObject({
      ok: false,
      reason: /wave 2 was already approved by ops/,
    });
    waves[2]!.approvedAt = 't';
    expect(approvalTarget(waves)).toMatchObject({ ok: false, reason: /^no wave waits for an approval/ });
  });
});
