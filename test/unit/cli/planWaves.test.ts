import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCommand } from '../../../src/cli/planCommand';
import { exampleInput } from '../../helpers/requests';

/** `bif plan` with waves: the cutover order it will follow, and field-named findings when it is wrong. */
const dir = mkdtempSync(join(tmpdir(), 'bif-plan-waves-'));
const NOW = new Date('2026-11-28T00:00:00Z');

function plan(waves: unknown, ...args: string[]) {
  const input = exampleInput('three-regions-3000-nodes') as Record<string, any>;
  input.waves = waves;
  const file = join(dir, `r${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(input));
  return planCommand([file, ...args], NOW);
}

describe('bif plan with waves', () => {
  it('shows the waves in order, with the replication-only region in the first one', async () => {
    const result = await plan([
      { regions: ['westeurope'], soakMinutes: 60 },
      { regions: ['eastus', 'southeastasia'], approval: true },
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Waves \(cutover order\)/);
    expect(result.stdout).toMatch(/1\s+westeurope, northeurope\s+no\s+60 min/);
    expect(result.stdout).toMatch(/2\s+eastus, southeastasia\s+yes \(timeout 10080 min\)\s+-/);
    const json = JSON.parse(
      (await plan([{ regions: ['westeurope', 'eastus', 'southeastasia'] }], '--json')).stdout,
    );
    expect(json.waves).toEqual([
      {
        wave: 1,
        regions: ['westeurope', 'eastus', 'southeastasia', 'northeurope'],
        soakMinutes: 0,
        approval: false,
        approvalTimeoutMinutes: 10080,
      },
    ]);
  });

  it('is not valid when a region with pools is in no wave, naming the field', async () => {
    const result = await plan([{ regions: ['westeurope'] }, { regions: ['eastus'] }]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(
      /WAVE_REGION_MISSING\s+waves\n\s+waves: region southeastasia has pools but is in no wave/,
    );
  });
});
