import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { publishedJsonSchemas } from '../../../src/cli/jsonSchemas';
import { ROOT } from '../../helpers/requests';

describe('published JSON Schemas', () => {
  const published = publishedJsonSchemas();

  it.each(Object.keys(published))(
    'schemas/%s matches the contract (run npm run schemas after a change)',
    (path) => {
      const onDisk = JSON.parse(readFileSync(join(ROOT, 'schemas', path), 'utf8'));
      expect(onDisk).toEqual(published[path]);
    },
  );

  it('publishes nothing that the contracts do not define', () => {
    const onDisk = [
      ...readdirSync(join(ROOT, 'schemas')).filter((f) => f.endsWith('.json')),
      ...readdirSync(join(ROOT, 'schemas', 'events')).map((f) => `events/${f}`),
    ];
    expect(onDisk.sort()).toEqual(Object.keys(published).sort());
  });

  it('requires the fields senders must give and forbids unknown ones', () => {
    const schema = published['build-request.schema.json'] as {
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.required).toEqual(['requestId', 'source', 'image']);
    expect(schema.additionalProperties).toBe(false);
  });
});
