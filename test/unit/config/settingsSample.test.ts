import { join } from 'node:path';
import { SETTINGS } from '../../../src/config/settings';
import { readJson, ROOT } from '../../helpers/requests';

describe('local.settings.sample.json', () => {
  const sample = readJson<{ Values: Record<string, string> }>(
    join(ROOT, 'local.settings.sample.json'),
  ).Values;

  it('lists every setting the config module reads', () => {
    for (const setting of Object.values(SETTINGS)) expect(Object.keys(sample)).toContain(setting.name);
  });

  it('holds no secret', () => {
    expect(JSON.stringify(sample)).not.toMatch(/SharedAccessKey=|AccountKey=|password/i);
  });
});
