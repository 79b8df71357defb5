// Writes src/domain/poolTemplate/batchPool.schema.json: the Batch management API's pool definitions
// (api-version 2023-11-01), as the installed @azure/arm-batch 9.1.0 carries them. That SDK is generated
// by AutoRest from specification/batch/resource-manager/Microsoft.Batch/stable/2023-11-01/BatchManagement.json
// in Azure/azure-rest-api-specs; its mappers keep every property name, type, enum and required flag of the
// spec's definitions, and mark the spec's single-value enums as constants (isConstant), which the SDK
// always sends as that value. Run: node scripts/pool-template-schema.js [--check]
const { readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = join(__dirname, '..');
const pkgPath = require.resolve('@azure/arm-batch/package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
const out = join(root, 'src/domain/poolTemplate/batchPool.schema.json');
let mappers;

const definitions = {};

function typeOf(type) {
  switch (type.name) {
    case 'String':
    case 'DateTime':
    case 'TimeSpan':
    case 'Uuid':
      return { type: 'string', ...(type.name === 'TimeSpan' ? { format: 'duration' } : {}) };
    case 'Number':
      return { type: 'number' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'Enum':
      return { type: 'string', enum: type.allowedValues };
    case 'Sequence':
      return { type: 'array', items: typeOf(type.element.type) };
    case 'Dictionary':
      return { type: 'object', additionalProperties: typeOf(type.value.type) };
    case 'Composite':
      define(type.className);
      return { $ref: type.className };
    case 'any':
    case 'Object':
      return {};
    default:
      throw new Error(`unmapped type ${type.name}`);
  }
}

function define(name, filter = () => true, rename = (k) => k, from = name) {
  if (definitions[name]) return;
  const mapper = mappers[from];
  if (!mapper) throw new Error(`no mapper ${name}`);
  const def = { type: 'object', properties: {}, required: [] };
  definitions[name] = def;
  for (const prop of Object.values(mapper.type.modelProperties)) {
    if (!filter(prop)) continue;
    const wire = rename(prop.serializedName);
    // A constant (isConstant: AutoRest's one-value enum, such as SecurityProfile.securityType
    // "trustedLaunch" or DiffDiskSettings.placement "CacheDisk") is sent as its value whatever the
    // caller sets: the schema allows that value only.
    def.properties[wire] = {
      ...typeOf(prop.type),
      ...(prop.isConstant ? { enum: [prop.defaultValue] } : {}),
      ...(prop.readOnly ? { readOnly: true } : {}),
    };
    if (prop.required) def.required.push(wire);
  }
  if (def.required.length === 0) delete def.required;
}

/** The schema text the installed SDK yields. */
async function generate() {
  mappers = await import(pathToFileURL(join(dirname(pkgPath), 'dist-esm/src/models/mappers.js')).href);
  // The SDK flattens the spec's PoolProperties into Pool (`properties.*`): rebuild it from Pool's mapper.
  // The template is those properties plus the pool identity.
  define(
    'PoolProperties',
    (p) => p.serializedName.startsWith('properties.'),
    (n) => n.replace(/^properties\./, ''),
    'Pool',
  );
  define('BatchPoolIdentity');
  definitions.PoolProperties.properties.identity = { $ref: 'BatchPoolIdentity' };
  const sorted = Object.fromEntries(
    Object.keys(definitions)
      .sort()
      .map((k) => [k, definitions[k]]),
  );
  const schema = {
    source: {
      spec: 'Azure/azure-rest-api-specs specification/batch/resource-manager/Microsoft.Batch/stable/2023-11-01/BatchManagement.json',
      specCommit: 'f764b5308da3b71e8000a5df7169ccab927007c3',
      generatedFrom: `${pkg.name} ${pkg.version} dist-esm/src/models/mappers.js (AutoRest output of that spec)`,
      note: 'PoolProperties is the spec\'s Pool.properties plus "identity" (Pool.identity, BatchPoolIdentity). Regenerate with node scripts/pool-template-schema.js.',
    },
    root: 'PoolProperties',
    definitions: sorted,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

module.exports = { generate, out };

if (require.main === module) {
  generate().then((text) => {
    if (!process.argv.includes('--check')) return writeFileSync(out, text);
    // Compared as JSON: Prettier formats the committed file.
    const same = (a, b) => JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
    if (same(readFileSync(out, 'utf8'), text)) return undefined;
    console.error(`${out} differs from what ${pkg.name} ${pkg.version} generates; rerun the script.`);
    process.exit(1);
  });
}
