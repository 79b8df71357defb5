import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { MAX_REQUEST_BYTES } from '../../../src/triggers/intake';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, VECTORS, exampleInput } from '../../helpers/requests';

// Runs the compiled command as users do (npm test builds first).
const BIF = join(ROOT, 'dist', 'cli', 'bif.js');
const bif = (...args: string[]) => spawnSync(process.execPath, [BIF, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'bif-plan-'));
const write = (name: string, content: string) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};

describe('bif plan', () => {
  it('prints exactly one JSON object with --json and exits 0 for a valid request', () => {
    const result = bif('plan', join(ROOT, 'examples', 'three-regions-3000-nodes.json'), '--json');
    expect(result.status).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(Object.keys(plan)).toEqual(['valid', 'regions', 'pools', 'findings', 'image']);
    // Without facts, the architecture comes from the pools' VM sizes.
    expect(plan.image).toEqual({ architecture: 'x64' });
    expect(plan.valid).toBe(true);
    expect(plan.regions[0]).toEqual({ name: 'westeurope', capacity: 3000, replicaCount: 12 });
    expect(plan.pools[0]).toEqual({
      poolId: 'render-weu-next',
      region: 'westeurope',
      nodeAgentSkuId: 'batch.node.ubuntu 22.04',
      resizeTimeout: 'PT45M',
    });
  });

  it('prints a readable table', () => {
    const result = bif('plan', join(ROOT, 'examples', 'three-regions-3000-nodes.json'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/region\s+capacity \(nodes\)\s+replicas/);
    expect(result.stdout).toMatch(/westeurope\s+3000\s+12/);
    expect(result.stdout).toMatch(/render-weu-next\s+westeurope\s+batch.node.ubuntu 22.04\s+PT45M/);
    expect(result.stdout).toMatch(/architecture\s+x64/);
    expect(result.stdout).toMatch(/source security type\s+\(read from the source at preflight\)/);
    expect(result.stdout).toContain('No findings.');
  });

  it('shows a templated pool as sent to Batch, secrets redacted, in the table and as a new --json key', () => {
    const file = join(ROOT, 'examples', 'templated-autoscale-pool.json');
    const json = bif('plan', file, '--json');
    expect(json.status).toBe(0);
    const plan = JSON.parse(json.stdout);
    expect(Object.keys(plan.pools[0])).toEqual([
      'poolId',
      'region',
      'nodeAgentSkuId',
      'resizeTimeout',
      'effectivePool',
    ]);
    // Replicas are planned for the declared maxNodes (600 nodes, 20% headroom: 3 replicas).
    expect(plan.regions[0]).toEqual({ name: 'westeurope', capacity: 600, replicaCount: 3 });
    const sent = plan.pools[0].effectivePool;
    expect(sent.identity.type).toBe('UserAssigned');
    expect(sent.properties).toMatchObject({
      taskSlotsPerNode: 4,
      scaleSettings: { autoScale: { evaluationInterval: 'PT5M' } },
      deploymentConfiguration: {
        virtualMachineConfiguration: {
          imageReference: { id: expect.stringMatching(/\/versions\/1\.4\.0$/) },
          nodeAgentSkuId: 'batch.node.ubuntu 22.04',
        },
      },
    });
    expect(sent.properties.startTask.environmentSettings[0].value).toBe('[redacted]');
    const table = bif('plan', file);
    expect(table.stdout).toMatch(/Effective pool render-autoscale-1-4-0/);
    expect(table.stdout).toMatch(
      /properties\.mountConfiguration\[0\]\.nfsMountConfiguration\.source\s+"nfs:\/\/10\.0\.0\.4\/assets"/,
    );
    expect(table.stdout).toMatch(
      /identity\.userAssignedIdentities\["?\/subscriptions|identity\.userAssignedIdentities\.\/subscriptions/,
    );
    expect(table.stdout).not.toContain('27000@licence');
  });

  describe('cannot lie (#12, hostile tester)', () => {
    const templated = () =>
      JSON.parse(readFileSync(join(ROOT, 'examples', 'templated-autoscale-pool.json'), 'utf8')) as {
        pools: Record<string, any>[];
      };

    it('refuses a request over the 48 KiB the doors accept, with a (request) finding', () => {
      const request = templated();
      request.pools[0]!.template.resourceTags.padding = 'x'.repeat(MAX_REQUEST_BYTES);
      const file = write('too-large.json', JSON.stringify(request));
      const result = bif('plan', file);
      expect(result.status).toBe(2);
      expect(result.stdout).toMatch(/NOT VALID/);
      expect(result.stdout).toMatch(/ERROR\s+REQUEST_TOO_LARGE\s+\(request\)/);
      expect(result.stdout).toContain(`at most ${MAX_REQUEST_BYTES}`);
    });

    it('redacts SSH keys and SAS signatures; shows commandLine and metadata', () => {
      const request = templated();
      const template = request.pools[0]!.template;
      template.userAccounts = [
        { name: 'u', password: 'pw-plan', linuxUserConfiguration: { sshPrivateKey: 'KEY-plan' } },
      ];
      template.startTask.resourceFiles = [
        { httpUrl: 'https://a.blob.core.windows.net/c/s.sh?sv=1&sig=SIG-plan', filePath: 's.sh' },
      ];
      template.metadata = [{ name: 'team', value: 'render-meta' }];
      const file = write('secrets.json', JSON.stringify(request));
      for (const result of [bif('plan', file), bif('plan', file, '--json')]) {
        expect(result.stdout).not.toMatch(/pw-plan|KEY-plan|SIG-plan/);
        expect(result.stdout).toContain('render-meta');
        expect(result.stdout).toContain('mount | grep assets');
      }
      const sent = JSON.parse(bif('plan', file, '--json').stdout).pools[0].effectivePool.properties;
      expect(sent.metadata.map((m: { name: string }) => m.name)).toEqual([
        'team',
        'bif-request',
        'bif-image-version',
      ]);
    });

    it('shows no resize timeout for an autoscale pool', () => {
      const table = bif('plan', join(ROOT, 'examples', 'templated-autoscale-pool.json')).stdout;
      const row = table
        .split('\n')
        .find((line) => line.includes('render-autoscale-1-4-0') && line.includes('westeurope'));
      expect(row).toBeDefined();
      expect(row).not.toMatch(/PT\d/);
      expect(row).toMatch(/autoscale/);
    });

    it('exits quietly when its reader closes early (| head -1)', () => {
      // Output well past a pipe's buffer, so the reader has gone while bif still writes.
      const request = templated();
      request.pools[0]!.template.resourceTags.padding = 'x'.repeat(400_000);
      const file = write('long-output.json', JSON.stringify(request));
      const run = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${BIF}" plan "${file}" | head -1`], {
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/^Plan for .*: NOT VALID\n$/);
    });
  });

  it('exits 2 with the replica-limit finding for 40,000 nodes in one region', () => {
    const input = exampleInput();
    input.pools![0]!.targetDedicatedNodes = 40_000;
    const result = bif('plan', write('big.json', JSON.stringify(input)), '--json');
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).findings.map((f: { code: string }) => f.code)).toContain(
      'REPLICA_LIMIT_EXCEEDED',
    );
  });

  it('exits 2 with the parse position when the file is not JSON', () => {
    const result = bif('plan', write('broken.json', '{\n  "requestId": "a",\n  oops\n}'));
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/REQUEST_NOT_JSON/);
    expect(result.stdout).toMatch(/line 3, column 3/);
  });

  it('checks node agent SKUs against a supported-images file', () => {
    const result = bif(
      'plan',
      join(ROOT, 'examples', 'one-region-small.json'),
      '--json',
      '--supported-images',
      join(VECTORS, 'batch-dataplane', 'AccountListSupportedImages.json'),
    );
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout).findings[0].code).toBe('NODE_AGENT_SKU_UNKNOWN');
  });

  it('exits 1 on an unexpected failure and 2 on a missing file', () => {
    expect(bif('plan', join(dir, 'missing.json')).status).toBe(2);
    const bad = bif(
      'plan',
      join(ROOT, 'examples', 'one-region-small.json'),
      '--supported-images',
      join(ROOT, 'package.json'),
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/no list of supported images/);
  });
});

describe('bif events --seconds', () => {
  it.each(['abc', '-5'])('refuses %j with the rule, before connecting to anything', async (value) => {
    const { eventsCommand } = await import('../../../src/cli/clientCommands');
    const result = await eventsCommand(['--seconds', value]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toMatch(/--seconds must be a number of seconds, 0 or more/);
  });
});

describe('bif <command> --help', () => {
  it.each(['start', 'submit', 'status', 'approve', 'simulate', 'plan', 'events', 'clean'])(
    'prints the usage for "%s --help" and does nothing else',
    (command) => {
      // `bif start --help` used to start the whole local world and submit the 3000-node example.
      const result = spawnSync(process.execPath, [BIF, command, '--help'], {
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^usage: bif <command>/);
      expect(result.stderr).toBe('');
    },
  );
});
