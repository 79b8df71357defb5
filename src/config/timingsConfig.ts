import { SETTINGS, type SettingKey } from './settings';

/** Where learned timings are kept, or undefined: no history (the built-in model paces polls). */
export type TimingsConfig =
  | { table: string; keep: number; endpoint: string }
  | { table: string; keep: number; emulatorConnectionString: string }
  | undefined;

/** Table names: 3-63 letters and digits, starting with a letter (Table service naming rules). */
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export function readTimings(get: (key: SettingKey) => string | undefined, problems: string[]): TimingsConfig {
  const table = get('timingsTable')!;
  if (!TABLE_NAME.test(table))
    problems.push(
      `${SETTINGS.timingsTable.name} "${table}" is not a table name (3-63 letters and digits, starting with a letter).`,
    );
  const keep = Number(get('timingsKeep'));
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000)
    problems.push(`${SETTINGS.timingsKeep.name} must be a whole number from 1 to 1000.`);
  const endpoint = get('timingsEndpoint');
  const emulator = get('timingsEmulator');
  if (endpoint) {
    if (/^https:\/\/[^/?#\s]+\/?$/.test(endpoint) && !/sharedaccesssignature|sig=/i.test(endpoint))
      return { table, keep, endpoint: endpoint.replace(/\/+$/, '') };
    problems.push(
      `${SETTINGS.timingsEndpoint.name} must be the table endpoint alone, like https://myaccount.table.core.windows.net (identity-based: grant the app Storage Table Data Contributor), not a connection string or a SAS URL.`,
    );
  } else if (emulator) {
    if (/devstoreaccount1|UseDevelopmentStorage=true/i.test(emulator))
      return { table, keep, emulatorConnectionString: emulator };
    problems.push(
      `${SETTINGS.timingsEmulator.name} is only for local Azurite (devstoreaccount1); in Azure set ${SETTINGS.timingsEndpoint.name} and grant the identity Storage Table Data Contributor.`,
    );
  }
  return undefined;
}
