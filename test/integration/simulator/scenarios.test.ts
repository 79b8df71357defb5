import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { readScenario } from '../../../src/local/simulator/scenario';
import { ROOT } from '../../helpers/requests';
import { startTestSimulator } from '../../helpers/simulator';

async function vmOf(scenario: string) {
  const { sim, compute } = await startTestSimulator({ scenario });
  try {
    return await compute.virtualMachines.get('rg-render-build', 'vm-render-build', {
      expand: 'instanceView',
    });
  } finally {
    await sim.stop();
  }
}

describe('bundled scenarios', () => {
  it('demo: a generalized VM with managed disks and no extensions', async () => {
    const vm = await vmOf('demo');
    expect(vm.instanceView?.statuses?.map((s) => s.code)).toContain('OSState/generalized');
    expect(vm.storageProfile?.osDisk?.encryptionSettings).toBeUndefined();
    expect(vm.resources ?? []).toHaveLength(0);
  });

  it('specialized-vm: no generalized status', async () => {
    expect((await vmOf('specialized-vm')).instanceView?.statuses?.map((s) => s.code)).not.toContain(
      'OSState/generalized',
    );
  });

  it('encrypted-os-disk: Azure Disk Encryption on the OS disk', async () => {
    expect((await vmOf('encrypted-os-disk')).storageProfile?.osDisk?.encryptionSettings?.enabled).toBe(true);
  });

  it('vm-with-extensions: the Custom Script Extension is installed', async () => {
    expect((await vmOf('vm-with-extensions')).resources?.map((r) => r.name)).toEqual(['CustomScript']);
  });

  it('applies faults declared in a scenario file', async () => {
    const scenario = readScenario('demo');
    scenario.faults = [{ kind: 'status', status: 503, pathContains: '/virtualMachines/', times: 1 }];
    const { sim, compute } = await startTestSimulator({ scenario });
    try {
      await compute.virtualMachines.get('rg-render-build', 'vm-render-build'); // the SDK retries the 503
      expect(sim.recorder.since(0).map((r) => r.status)).toEqual([503, 200]);
    } finally {
      await sim.stop();
    }
  });
});

describe('npm run sim', () => {
  it('prints one JSON line with the ARM URL, the Batch account URLs and the CA path, then serves', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/local/simulator/main.js'), '--speed', '600'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
      });
      const info = JSON.parse(line) as {
        arm: string;
        batchAccounts: Record<string, string>;
        caCertPath: string;
      };
      expect(Object.keys(info.batchAccounts).sort()).toEqual([
        'batchrendereus',
        'batchrendersea',
        'batchrenderweu',
      ]);
      const ca = readFileSync(info.caCertPath, 'utf8');
      const status = await new Promise<number>((resolve, reject) =>
        request(`${info.arm}/_sim/health`, { ca }, (res) => resolve(res.statusCode ?? 0))
          .on('error', reject)
          .end(),
      );
      expect(status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
