import { checkBuildRequest } from '../../../../src/domain/planRequest';
import { exampleInput } from '../../../helpers/requests';

/**
 * What a hostile tester found in #13's request validation: each case was accepted (or said the wrong
 * thing) before; now each is a finding naming the field and the fix, so `bif plan` shows it and submit
 * refuses it.
 */
const NOW = new Date('2026-11-28T00:00:00Z');

function check(edit: (input: Record<string, any>) => void) {
  const input = exampleInput() as Record<string, any>;
  edit(input);
  return checkBuildRequest(input, { now: NOW }).summary;
}

const secondPool = (input: Record<string, any>, over: Record<string, unknown>) =>
  input.pools.push({ ...input.pools[0], ...over });

describe('replaces within one request', () => {
  it('refuses two pools that replace each other (both would be created, each deleting the other)', () => {
    const s = check((i) => {
      i.pools[0].replaces = 'render-b';
      secondPool(i, { poolId: 'render-b', replaces: 'render-1-4-0' });
    });
    expect(s.valid).toBe(false);
    const found = s.findings.filter((f) => f.code === 'POOL_REPLACES_REQUEST_POOL');
    expect(found.map((f) => f.path)).toEqual(['pools[0].replaces', 'pools[1].replaces']);
    expect(found[0]!.message).toMatch(/cycle/);
    expect(found[0]!.message).toMatch(/pools\[1\]/);
  });

  it('refuses a chain: a pool replacing a pool this same request creates (case-insensitive ids)', () => {
    const s = check((i) => secondPool(i, { poolId: 'render-b', replaces: 'RENDER-1-4-0' }));
    const found = s.findings.filter((f) => f.code === 'POOL_REPLACES_REQUEST_POOL');
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe('pools[1].replaces');
  });

  it('allows the same id in another Batch account', () => {
    const s = check((i) =>
      secondPool(i, {
        poolId: 'render-b',
        replaces: 'render-1-4-0',
        account: {
          id: i.pools[0].account.id.replace('batchrenderweu', 'batchrenderneu'),
          endpoint: 'https://batchrenderneu.westeurope.batch.azure.com',
          region: 'westeurope',
        },
      }),
    );
    expect(s.findings.filter((f) => f.code === 'POOL_REPLACES_REQUEST_POOL')).toEqual([]);
  });

  it('refuses two pools replacing the same old pool (their migrations would race)', () => {
    const s = check((i) => secondPool(i, { poolId: 'render-b', replaces: 'Render-1-3-0' }));
    const found = s.findings.filter((f) => f.code === 'POOL_REPLACES_SHARED');
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe('pools[1].replaces');
    expect(found[0]!.message).toMatch(/pools\[0\] already replaces/);
    expect(s.valid).toBe(false);
  });

  it('POOL_REPLACES_ITSELF points to the in-place strategy instead of denying it exists', () => {
    const s = check((i) => (i.pools[0].replaces = i.pools[0].poolId));
    const f = s.findings.find((x) => x.code === 'POOL_REPLACES_ITSELF')!;
    expect(f.message).not.toMatch(/cannot change in place/);
    expect(f.message).toMatch(/cutover\.strategy.*in-place/);
  });
});

describe('smoke test fields', () => {
  const smoke = (over: Record<string, unknown> = {}, task: Record<string, unknown> = {}) => ({
    tasks: [{ commandLine: '/bin/true', ...task }],
    ...over,
  });
  const invalidAt = (s: ReturnType<typeof check>, path: string) =>
    s.findings.filter((f) => f.path === path && f.severity === 'error');

  it('refuses task ids that differ only in letter case (Batch ids are case-insensitive)', () => {
    const s = check(
      (i) =>
        (i.smokeTest = {
          tasks: [
            { id: 'Check', commandLine: 'a' },
            { id: 'check', commandLine: 'b' },
          ],
        }),
    );
    const [f] = invalidAt(s, 'smokeTest.tasks[1].id');
    expect(f!.message).toMatch(/case/);
  });

  it('refuses resourceFiles httpUrl that is not http or https', () => {
    const s = check(
      (i) => (i.smokeTest = smoke({}, { resourceFiles: [{ httpUrl: 'ftp://example.com/x.sh' }] })),
    );
    const [f] = invalidAt(s, 'smokeTest.tasks[0].resourceFiles[0].httpUrl');
    expect(f!.message).toMatch(/http/);
  });

  it.each(['../x.sh', 'a/../../x.sh', '/etc/x.sh', 'C:\\x.sh', 'a\\..\\x'])(
    'refuses resourceFiles filePath %s (must stay inside the working directory)',
    (filePath) => {
      const s = check(
        (i) =>
          (i.smokeTest = smoke({}, { resourceFiles: [{ httpUrl: 'https://example.com/x.sh', filePath }] })),
      );
      const [f] = invalidAt(s, 'smokeTest.tasks[0].resourceFiles[0].filePath');
      expect(f!.message).toMatch(/relative/);
    },
  );

  it('refuses an httpUrl without filePath (Batch needs the name to save the file under)', () => {
    const s = check(
      (i) => (i.smokeTest = smoke({}, { resourceFiles: [{ httpUrl: 'https://example.com/x.sh' }] })),
    );
    const [f] = invalidAt(s, 'smokeTest.tasks[0].resourceFiles[0].filePath');
    expect(f!.message).toMatch(/required with httpUrl/);
  });

  it('accepts a relative filePath', () => {
    const s = check(
      (i) =>
        (i.smokeTest = smoke(
          {},
          { resourceFiles: [{ httpUrl: 'https://example.com/x.sh', filePath: 'bin/x..sh' }] },
        )),
    );
    expect(s.findings).toEqual([]);
  });

  it('refuses successExitCodes outside 32-bit integers', () => {
    const s = check((i) => (i.smokeTest = smoke({ successExitCodes: [0, 2 ** 31] })));
    const [f] = invalidAt(s, 'smokeTest.successExitCodes[1]');
    expect(f!.message).toMatch(/32-bit/);
  });

  it('refuses a smoke timeout under one minute, and says the real limit for years', () => {
    const short = check((i) => (i.smokeTest = smoke({ timeout: 'PT5S' })));
    expect(invalidAt(short, 'smokeTest.timeout')[0]!.message).toMatch(/at least PT1M/);
    const years = check((i) => (i.smokeTest = smoke({ timeout: 'P99999Y' })));
    expect(invalidAt(years, 'smokeTest.timeout')[0]!.message).toMatch(/years/);
  });
});

describe('health gate fields', () => {
  it('refuses health.settleSeconds over timeoutSeconds, after merging request and pool', () => {
    const onRequest = check((i) => (i.health = { settleSeconds: 900, timeoutSeconds: 600 }));
    const [a] = onRequest.findings.filter((f) => f.code === 'HEALTH_SETTLE_EXCEEDS_TIMEOUT');
    expect(a!.path).toBe('pools[0].health.settleSeconds');
    expect(a!.message).toMatch(/900.*600/);
    const merged = check((i) => {
      i.health = { settleSeconds: 900 };
      i.pools[0].health = { timeoutSeconds: 600 };
    });
    expect(merged.findings.map((f) => f.code)).toContain('HEALTH_SETTLE_EXCEEDS_TIMEOUT');
    expect(merged.valid).toBe(false);
    const fine = check((i) => (i.health = { settleSeconds: 600, timeoutSeconds: 600 }));
    expect(fine.findings).toEqual([]);
  });
});
