import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/requests';
import { checkBuildRequestText } from '../../../src/domain/planRequest';
import { redactPoolSecrets } from '../../../src/domain/poolTemplate/effectivePool';

// What a hostile tester sent (issue #12, second pass): each case must be a finding at its JSON path.
const NOW = new Date('2026-11-29T00:00:00Z');
const exampleText = readFileSync(join(ROOT, 'examples', 'templated-autoscale-pool.json'), 'utf8');

/** The templated example with `edit` applied to pools[0] (as JSON text, so `__proto__` stays a key). */
function planWith(edit: (pool: Record<string, any>) => void, raw?: (text: string) => string) {
  const request = JSON.parse(exampleText) as { pools: Record<string, any>[] };
  edit(request.pools[0]!);
  const text = JSON.stringify(request);
  return checkBuildRequestText(raw ? raw(text) : text, { now: NOW }).summary;
}
const at = (summary: ReturnType<typeof planWith>) =>
  summary.findings.map((f) => [f.code, f.path, f.severity] as const);

describe('a pool template cannot lie', () => {
  it('the example is valid with no findings (the baseline every case below changes)', () => {
    expect(planWith(() => undefined).findings).toEqual([]);
  });

  it('built-in object names are unknown properties, not pool properties', () => {
    const summary = planWith((pool) => {
      pool.template.toString = 'x';
      pool.template.hasOwnProperty = 'x';
      pool.template.startTask.valueOf = 'x';
      pool.template.networkConfiguration.isPrototypeOf = 'x';
      pool.template.constructor = { prototype: {} };
    });
    expect(summary.valid).toBe(false);
    const paths = summary.findings.filter((f) => f.code === 'POOL_TEMPLATE_UNKNOWN_PROPERTY');
    expect(paths.map((f) => f.path).sort()).toEqual(
      [
        'pools[0].template.constructor',
        'pools[0].template.hasOwnProperty',
        'pools[0].template.networkConfiguration.isPrototypeOf',
        'pools[0].template.startTask.valueOf',
        'pools[0].template.toString',
      ].sort(),
    );
  });

  it('a "__proto__" key at the template root is a finding at the door, not silently dropped', () => {
    const summary = planWith(
      (pool) => (pool.template.marker = 1),
      (text) => text.replace('"marker":1', '"__proto__":{"vmSize":"x"}'),
    );
    expect(summary.valid).toBe(false);
    expect(summary.findings.map((f) => f.path)).toEqual(['pools[0].template.__proto__']);
  });

  it('a nested "__proto__" key is an unknown property at its JSON path', () => {
    const summary = planWith(
      (pool) => (pool.template.startTask.marker = 1),
      (text) => text.replace('"marker":1', '"__proto__":{"commandLine":"y"}'),
    );
    expect(summary.valid).toBe(false);
    expect(at(summary)).toEqual([
      ['POOL_TEMPLATE_UNKNOWN_PROPERTY', 'pools[0].template.startTask.__proto__', 'error'],
    ]);
  });

  it('an empty required string (an autoscale formula "") is a finding at plan time', () => {
    const summary = planWith((pool) => {
      pool.template.scaleSettings.autoScale.formula = '';
    });
    expect(summary.valid).toBe(false);
    expect(at(summary)).toContainEqual([
      'POOL_TEMPLATE_EMPTY_REQUIRED',
      'pools[0].template.scaleSettings.autoScale.formula',
      'error',
    ]);
  });

  it('template metadata cannot reuse the pipeline’s reserved bif-* names; the plan shows what is sent', () => {
    const bad = planWith((pool) => {
      pool.template.metadata = [
        { name: 'bif-request', value: 'forged' },
        { name: 'BIF-anything', value: 'x' },
        { name: 'team', value: 'render' },
      ];
    });
    expect(at(bad).filter(([code]) => code === 'POOL_TEMPLATE_RESERVED_METADATA')).toEqual([
      ['POOL_TEMPLATE_RESERVED_METADATA', 'pools[0].template.metadata[0].name', 'error'],
      ['POOL_TEMPLATE_RESERVED_METADATA', 'pools[0].template.metadata[1].name', 'error'],
    ]);
    const good = planWith((pool) => {
      pool.template.metadata = [{ name: 'team', value: 'render' }];
    });
    expect(good.pools[0]!.effectivePool!.properties.metadata).toEqual([
      { name: 'team', value: 'render' },
      { name: 'bif-request', value: 'render-templated-2026-11-29' },
      { name: 'bif-image-version', value: '1.4.0' },
    ]);
  });

  it('pool certificates are refused with the retirement date and the Key Vault fix', () => {
    const summary = planWith((pool) => {
      pool.template.certificates = [{ id: '/subscriptions/s/certificates/sha1-abc' }];
    });
    const cert = summary.findings.find((f) => f.code === 'BATCH_POOL_CERTIFICATES_RETIRED');
    expect(cert).toMatchObject({ path: 'pools[0].template.certificates', severity: 'error' });
    expect(cert!.message).toMatch(/29 February 2024/);
    expect(cert!.message).toMatch(/Key Vault VM extension/);
  });

  it('warns when an autoscale formula sets $TargetDedicatedNodes to a literal above maxNodes', () => {
    const summary = planWith((pool) => {
      pool.template.scaleSettings.autoScale.formula = '$TargetDedicatedNodes = 5000;';
    });
    expect(at(summary)).toContainEqual([
      'POOL_AUTOSCALE_ABOVE_MAX_NODES',
      'pools[0].template.scaleSettings.autoScale.formula',
      'warning',
    ]);
    const within = planWith((pool) => {
      pool.template.scaleSettings.autoScale.formula = '$TargetDedicatedNodes = 600;';
    });
    expect(within.findings).toEqual([]);
  });
});

describe('redactPoolSecrets', () => {
  it('hides SSH private keys, passwords and SAS signatures in resource file URLs', () => {
    const sas = 'https://acc.blob.core.windows.net/c/setup.sh?sv=2024-08-04&sp=r&sig=SECRETSIG%3D';
    const redacted = JSON.stringify(
      redactPoolSecrets({
        userAccounts: [
          {
            name: 'u',
            password: 'pw-secret',
            linuxUserConfiguration: { sshPrivateKey: '-----BEGIN OPENSSH PRIVATE KEY-----abc' },
          },
        ],
        startTask: {
          commandLine: 'visible command',
          resourceFiles: [{ httpUrl: sas }, { storageContainerUrl: `${sas}&x=1` }],
        },
        metadata: [{ name: 'm', value: 'visible metadata' }],
      }),
    );
    expect(redacted).not.toMatch(/SECRETSIG|pw-secret|OPENSSH/);
    expect(redacted).toContain('https://acc.blob.core.windows.net/c/setup.sh?[redacted]');
    // commandLine and metadata stay visible (docs/pools.md: never put secrets there).
    expect(redacted).toContain('visible command');
    expect(redacted).toContain('visible metadata');
  });
});
