import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/requests';
import { ArmMirror, apply, plan } from './armMirror';

/**
 * Flex Consumption language stacks: Node.js 22 is supported; Node.js 20 reached end of support on
 * Azure Functions on 30 April 2026 (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#supported-language-stack-versions,
 * https://learn.microsoft.com/azure/azure-functions/supported-languages). The code itself must still
 * run on the Node 20 of this machine.
 */

const provisionParams = {
  environmentName: 'dev',
  location: 'westeurope',
  galleryId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/gal',
  buildResourceGroupId: '/subscriptions/s/resourceGroups/b',
  batchAccountIds: '/subscriptions/s/resourceGroups/a/providers/Microsoft.Batch/batchAccounts/x',
};

function flexRuntime(): { name: string; version: string } {
  const site = plan('main.bicep', provisionParams).find((r) => r.decl.type === 'Microsoft.Web/sites')!;
  const m = /runtime: \{ name: '(\w+)', version: '([\d.]+)' \}/.exec(site.decl.body)!;
  return { name: m[1]!, version: m[2]! };
}

describe('Node versions', () => {
  it('deploys the Flex Consumption app on a supported Node (22), not the retired 20', () => {
    const mirror = new ArmMirror();
    expect(() => apply(mirror, plan('main.bicep', provisionParams))).not.toThrow();
    expect(mirror.created).toContain('functionApp app node 22');
    expect(flexRuntime()).toEqual({ name: 'node', version: '22' });
  });

  it('keeps engines and CI on Node 20 too, and builds the deployed package on the runtime Node', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=20');
    const workflow = readFileSync(join(ROOT, '.github/workflows/azure-dev.yml'), 'utf8');
    expect(workflow).toMatch(/node-version: \[20, 22\]/);
    const deploy = workflow.slice(workflow.indexOf('\n  deploy:'));
    expect(deploy).toContain(`node-version: ${flexRuntime().version}`);
    // The postdeploy hook calls the Azure CLI: CI signs it in with the same federated identity.
    expect(deploy.indexOf('uses: azure/login@v2')).toBeGreaterThan(0);
    expect(deploy.indexOf('uses: azure/login@v2')).toBeLessThan(deploy.indexOf('azd deploy'));
  });
});
