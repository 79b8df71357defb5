import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/requests';
import { checkAgainstSpec } from '../../../src/domain/poolTemplate/schemaCheck';
import { effectivePool } from '../../../src/domain/poolTemplate/effectivePool';
import type { PoolSpec } from '../../../src/ports';

describe('the vendored pool definitions', () => {
  it('are exactly what the installed @azure/arm-batch (API 2023-11-01) carries', () => {
    // The SDK's mappers are an ES module: the generator runs in its own node, as a developer runs it.
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/pool-template-schema.js'), '--check'], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const schema = JSON.parse(
      readFileSync(join(ROOT, 'src/domain/poolTemplate/batchPool.schema.json'), 'utf8'),
    ) as { source: { spec: string } };
    expect(schema.source.spec).toMatch(/stable\/2023-11-01\/BatchManagement.json$/);
  });
});

describe('checkAgainstSpec', () => {
  const owned = new Set(['deploymentConfiguration.virtualMachineConfiguration.nodeAgentSkuId']);
  it('accepts a pool the spec allows, including the nested mount, container and identity shapes', () => {
    const template = {
      identity: { type: 'UserAssigned', userAssignedIdentities: { '/subscriptions/s/x': {} } },
      deploymentConfiguration: {
        virtualMachineConfiguration: {
          containerConfiguration: { type: 'DockerCompatible', containerImageNames: ['busybox'] },
        },
      },
      mountConfiguration: [{ nfsMountConfiguration: { source: 'nfs://h/p', relativeMountPath: 'p' } }],
      scaleSettings: { autoScale: { formula: '$TargetDedicatedNodes=1;', evaluationInterval: 'PT5M' } },
      resourceTags: { a: 'b' },
    };
    expect(checkAgainstSpec(template, 'pools[0].template', owned)).toEqual([]);
  });

  it('names every problem at its JSON path', () => {
    const findings = checkAgainstSpec(
      {
        identity: { type: 'SystemAssigned' },
        mountConfiguration: [{ nfsMountConfigration: {} }],
        userAccounts: [{ name: 'u' }],
        upgradePolicy: { mode: 'Manual' },
      },
      't',
      owned,
    );
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['POOL_TEMPLATE_BAD_ENUM', 't.identity.type'],
      ['POOL_TEMPLATE_UNKNOWN_PROPERTY', 't.mountConfiguration[0].nfsMountConfigration'],
      ['POOL_TEMPLATE_MISSING_REQUIRED', 't.userAccounts[0].password'],
      ['POOL_TEMPLATE_UNKNOWN_PROPERTY', 't.upgradePolicy'],
    ]);
    expect(findings[1]!.message).toMatch(/did you mean "nfsMountConfiguration"/);
    expect(findings[3]!.message).toMatch(/from Batch management API 2024-02-01; .* 2023-11-01/);
  });
});

describe('constants of the SDK (@azure/arm-batch 9.1.0 mappers: isConstant)', () => {
  const owned = new Set([
    'deploymentConfiguration.virtualMachineConfiguration.imageReference',
    'deploymentConfiguration.virtualMachineConfiguration.nodeAgentSkuId',
  ]);
  const vmc = (v: Record<string, unknown>) => ({
    deploymentConfiguration: { virtualMachineConfiguration: v },
  });
  // The SDK sends its constant whatever the template says: a template must not say anything else.
  it('securityProfile.securityType is trustedLaunch only (confidentialVM would be rewritten)', () => {
    const [f] = checkAgainstSpec(vmc({ securityProfile: { securityType: 'confidentialVM' } }), 't', owned);
    expect(f).toMatchObject({
      code: 'POOL_TEMPLATE_BAD_ENUM',
      severity: 'error',
      path: 't.deploymentConfiguration.virtualMachineConfiguration.securityProfile.securityType',
    });
    expect(f!.message).toMatch(/Batch accepts "trustedLaunch"\./);
    expect(checkAgainstSpec(vmc({ securityProfile: { securityType: 'trustedLaunch' } }), 't', owned)).toEqual(
      [],
    );
  });

  it('osDisk.ephemeralOSDiskSettings.placement is CacheDisk only', () => {
    const findings = checkAgainstSpec(
      vmc({ osDisk: { ephemeralOSDiskSettings: { placement: 'ResourceDisk' } } }),
      't',
      owned,
    );
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['POOL_TEMPLATE_BAD_ENUM', 'error']]);
    expect(findings[0]!.message).toMatch(/Batch accepts "CacheDisk"/);
  });
});

describe('enum values', () => {
  const owned = new Set<string>();
  // Batch reads enums case-insensitively (Newtonsoft StringEnumConverter): a value that differs only
  // in case works, so it is a warning to spell it as the spec does, not an error.
  it('a value that differs only in case is a warning with the spec spelling', () => {
    const [f] = checkAgainstSpec({ taskSchedulingPolicy: { nodeFillType: 'pack' } }, 't', owned);
    expect(f).toMatchObject({ code: 'POOL_TEMPLATE_BAD_ENUM', severity: 'warning' });
    expect(f!.message).toMatch(/spell it as the spec does: "Pack"/);
    expect(f!.message).not.toMatch(/case-sensitive/);
  });

  it('a value outside the enum is an error', () => {
    const [f] = checkAgainstSpec({ taskSchedulingPolicy: { nodeFillType: 'Packed' } }, 't', owned);
    expect(f).toMatchObject({ code: 'POOL_TEMPLATE_BAD_ENUM', severity: 'error' });
    expect(f!.message).toMatch(/Batch accepts "Spread", "Pack"/);
  });
});

describe('effectivePool', () => {
  const spec: PoolSpec = {
    poolId: 'p',
    vmSize: 'Standard_D4s_v5',
    imageVersionId:
      '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/x/images/i/versions/1.0.0',
    nodeAgentSkuId: 'batch.node.ubuntu 22.04',
    targetDedicatedNodes: 10,
    targetLowPriorityNodes: 0,
    resizeTimeout: 'PT15M',
    taskSlotsPerNode: 1,
    startTask: {
      commandLine: 'x',
      waitForSuccess: true,
      maxTaskRetryCount: 0,
      environmentSettings: [],
      userIdentity: { autoUser: { scope: 'pool', elevationLevel: 'admin' } },
    },
    metadata: [{ name: 'bif-request', value: 'r' }],
  };

  it('lays the pipeline’s image, SKU, scale and metadata over the template, in management casing', () => {
    const pool = effectivePool({
      ...spec,
      template: {
        taskSlotsPerNode: 4,
        metadata: [{ name: 'owner', value: 'me' }],
        deploymentConfiguration: { virtualMachineConfiguration: { licenseType: 'Windows_Server' } },
      },
      securityProfile: {
        securityType: 'trustedLaunch',
        uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
      },
    });
    expect(pool.properties).toMatchObject({
      vmSize: 'Standard_D4s_v5',
      taskSlotsPerNode: 4,
      deploymentConfiguration: {
        virtualMachineConfiguration: {
          licenseType: 'Windows_Server',
          imageReference: { id: spec.imageVersionId },
          nodeAgentSkuId: 'batch.node.ubuntu 22.04',
          securityProfile: { securityType: 'trustedLaunch' },
        },
      },
      scaleSettings: { fixedScale: { targetDedicatedNodes: 10, resizeTimeout: 'PT15M' } },
      startTask: { userIdentity: { autoUser: { scope: 'Pool', elevationLevel: 'Admin' } } },
      metadata: [
        { name: 'owner', value: 'me' },
        { name: 'bif-request', value: 'r' },
      ],
    });
  });

  it('merges the planned securityProfile with the template’s: encryptionAtHost is kept', () => {
    const pool = effectivePool({
      ...spec,
      template: {
        deploymentConfiguration: {
          virtualMachineConfiguration: { securityProfile: { encryptionAtHost: true } },
        },
      },
      securityProfile: {
        securityType: 'trustedLaunch',
        uefiSettings: { secureBootEnabled: false, vTpmEnabled: true },
      },
    });
    expect(pool.properties.deploymentConfiguration.virtualMachineConfiguration.securityProfile).toEqual({
      encryptionAtHost: true,
      securityType: 'trustedLaunch',
      uefiSettings: { secureBootEnabled: false, vTpmEnabled: true },
    });
  });

  it('keeps an autoscale template’s formula instead of fixed targets', () => {
    const autoScale = { formula: '$TargetDedicatedNodes=2;' };
    expect(
      effectivePool({ ...spec, template: { scaleSettings: { autoScale } } }).properties.scaleSettings,
    ).toEqual({
      autoScale,
    });
  });
});
