import { existsSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { worldFiles } from '../local/worldFolder';
import { endOrphans, readRecords, stillRunning } from '../local/processes';
import { WORK_DIR } from './localState';
import type { CommandResult } from './planCommand';

/**
 * `bif clean`: removes the local world — simulator state, queues, durable history, events, logs —
 * after ending anything an earlier `bif start` left running. A world that is still served is not
 * pulled from under its process.
 */
export async function cleanCommand(): Promise<CommandResult> {
  const where = relative(process.cwd(), WORK_DIR) || WORK_DIR;
  if (!existsSync(WORK_DIR)) return { exitCode: 0, stdout: `Nothing to clean: no ${where}/ here.\n` };
  const records = readRecords(worldFiles(WORK_DIR).processes);
  const running = records.find((r) => r.role === 'world' && r.pid !== process.pid && stillRunning(r));
  if (running)
    return {
      exitCode: 1,
      stdout: `bif start (pid ${running.pid}) is still running on ${where}/: stop it first (Ctrl-C in its terminal, or kill ${running.pid}), then run bif clean again.\n`,
    };
  const ended = await endOrphans(records);
  rmSync(WORK_DIR, { recursive: true, force: true });
  const orphans = ended.length ? ` Ended ${ended.map((o) => `${o.role} (pid ${o.pid})`).join(', ')}.` : '';
  return {
    exitCode: 0,
    stdout: `Removed ${where}/ (simulated cloud, queues, durable history, events, logs).${orphans}\n`,
  };
}
