import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCommand } from '../../../src/cli/planCommand';
import { exampleInput } from '../../helpers/requests';

/** `bif plan --capacity FILE`: the cutover plan from quotas and pools given offline. */
const dir = mkdtempSync(join(tmpdir(), 'bif-plan-capacity-'));
const NOW = new Date('2026-11-28T00:00:00Z');

function files(cutover?: Record<string, unknown>) {
  const input = exampleInput('one-region-small') as Record<string, any>;
  if (cutover) input.cutover = cutover;
  const account = input.pools[0].account.id.toLowerCase();
  const capacity = {
    [account]: {
      quotas: {
        dedicatedCoreQuota: 1000,
        lowPriorityCoreQuota: 100,
        perFamily: { standardDSv5Family: 120 },
        perFamilyEnforced: true,
      },
      pools: [
        {
          poolId: 'render-1-3-0',
          vmSize: 'Standard_D4s_v5',
          currentDedicatedNodes: 20,
          targetDedicatedNodes: 20,
          currentLowPriorityNodes: 0,
          targetLowPriorityNodes: 0,
        },
      ],
    },
  };
  const request = join(dir, `request-${cutover ? 'refuse' : 'default'}.json`);
  const facts = join(dir, 'capacity.json');
  writeFileSync(request, JSON.stringify(input));
  writeFileSync(facts, JSON.stringify(capacity));
  return { request, facts };
}

describe('bif plan --capacity', () => {
  it('shows shrink-old-first for a pool whose old + new cores do not fit', () => {
    const { request, facts } = files();
    const result = planCommand([request, '--capacity', facts], NOW);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /Cutover[\s\S]*render-1-4-0\s+shrink-old-first: render-1-3-0 to 10\+0 nodes first/,
    );
    const json = JSON.parse(planCommand([request, '--capacity', facts, '--json'], NOW).stdout);
    expect(json.cutover).toEqual({ 'render-1-4-0': expect.stringMatching(/^shrink-old-first/) });
  });

  it('is not valid when the request says refuse', () => {
    const { request, facts } = files({ onInsufficientQuota: 'refuse' });
    const result = planCommand([request, '--json', '--capacity', facts], NOW);
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).findings.map((f: { code: string }) => f.code)).toContain(
      'CUTOVER_QUOTA_INSUFFICIENT',
    );
  });

  it('leaves the plan as it was without --capacity', () => {
    const { request } = files();
    expect(JSON.parse(planCommand([request, '--json'], NOW).stdout).cutover).toBeUndefined();
  });
});
