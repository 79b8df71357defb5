import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { publishedJsonSchemas } from './jsonSchemas';

/** `npm run schemas`: regenerate schemas/ from the zod contracts (a test fails when they drift). */
const root = join(__dirname, '..', '..', 'schemas');
for (const [path, schema] of Object.entries(publishedJsonSchemas())) {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schemas/${path}`);
}
