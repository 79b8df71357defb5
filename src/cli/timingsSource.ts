import { existsSync, readFileSync } from 'node:fs';
import { SETTINGS } from '../config/settings';
import { tableTimings } from '../azure/timingsTable';
import { startAzurite } from '../local/azurite';
import { worldFiles } from '../local/worldFolder';
import { readRecords, stillRunning } from '../local/processes';
import { validateWith } from '../domain/validation';
import { timingProfileSchema, type TimingProfile } from '../domain/timings/profile';
import type { TimingObservation } from '../domain/timings/observation';
import { readLocalState, WORK_DIR } from './localState';

/**
 * Where `bif simulate` gets its timings: a file the user names, or the history the local world
 * recorded (its Azurite tables in .bif/), read through the running `bif start` when there is one, else
 * by starting Azurite's table service on the world's folder just for the read.
 */
export class TimingsFileError extends Error {}

/** A timings file, validated: every problem names its field and says what is expected. */
export function readTimingsFile(file: string): TimingProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TimingsFileError(`cannot read timings file ${file}: ${(error as Error).message}`);
  }
  // The schema's own word for an array ("Expected object, received array") does not say what to fix.
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new TimingsFileError(
      `timings file ${file}: timings file must be an object, e.g. {"regions": {"westeurope": {"replicationMinutes": 20}}}.`,
    );
  const validated = validateWith(timingProfileSchema, raw);
  if (validated.ok) return validated.value;
  const problems = validated.findings.map((f) => `  - ${f.path || '(the file)'}: ${f.message}`);
  throw new TimingsFileError(
    `timings file ${file} is not valid (format: schemas/timings.schema.json, e.g. {"regions": {"westeurope": {"replicationMinutes": 20, "nodesPerMinute": 150}}}):\n${problems.join('\n')}`,
  );
}

const tableName = () => process.env[SETTINGS.timingsTable.name] || SETTINGS.timingsTable.default;

const read = (connection: string, regions: string[]) =>
  tableTimings(
    { table: tableName(), keep: Number(SETTINGS.timingsKeep.default), emulatorConnectionString: connection },
    () => {
      throw new Error('the local world has no credential: it reads Azurite with its connection string');
    },
  ).recent(regions);

/** What the local world learned for these regions (none when there is no world yet). */
export async function readLocalHistory(regions: string[]): Promise<TimingObservation[]> {
  const files = worldFiles(WORK_DIR);
  const running = readRecords(files.processes).some((r) => r.role === 'world' && stillRunning(r));
  if (running) {
    const connection = readLocalState()?.tableConnection;
    return connection ? read(connection, regions) : [];
  }
  if (!existsSync(files.azurite)) return [];
  const azurite = await startAzurite({ location: files.azurite });
  try {
    return await read(azurite.tableConnectionString, regions);
  } finally {
    await azurite.stop();
  }
}
