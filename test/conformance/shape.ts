/**
 * Compares a simulator answer with an official example: every property we send must exist in the
 * example (same casing) or be defined by the REST spec; every property of the example must be in our
 * answer unless listed as not modelled; leaves keep their JSON type; enum-valued properties take a
 * value the spec allows.
 */
export interface ShapeRules {
  /** Property names the REST spec defines (from the definitions extracts). */
  specNames: Set<string>;
  /** Allowed values per property name, for enum-typed properties. */
  enums: Map<string, Set<string>>;
  /** Dotted paths of example properties the simulator does not model. */
  notModelled?: string[];
}

export function shapeProblems(ours: unknown, example: unknown, rules: ShapeRules, path = ''): string[] {
  if (Array.isArray(example)) {
    if (!Array.isArray(ours)) return [`${path}: expected an array`];
    if (ours.length === 0 || example.length === 0) return [];
    return ours.flatMap((item, i) =>
      shapeProblems(item, example[Math.min(i, example.length - 1)], rules, `${path}[${i}]`),
    );
  }
  if (example !== null && typeof example === 'object') {
    if (ours === null || typeof ours !== 'object' || Array.isArray(ours))
      return [`${path}: expected an object`];
    const problems: string[] = [];
    const exampleObject = example as Record<string, unknown>;
    const ourObject = ours as Record<string, unknown>;
    for (const [key, value] of Object.entries(ourObject)) {
      const at = path ? `${path}.${key}` : key;
      if (key in exampleObject) {
        problems.push(...shapeProblems(value, exampleObject[key], rules, at));
        continue;
      }
      const miscased = Object.keys(exampleObject).find((k) => k.toLowerCase() === key.toLowerCase());
      if (miscased) problems.push(`${at}: casing differs from the example's "${miscased}"`);
      else if (!rules.specNames.has(key)) problems.push(`${at}: not in the example nor in the spec`);
      else problems.push(...enumProblems(key, value, rules, at));
    }
    for (const key of Object.keys(exampleObject)) {
      const at = path ? `${path}.${key}` : key;
      if (
        !(key in ourObject) &&
        !rules.notModelled?.some((p) => at === p || at.endsWith(`.${p}`) || at.replace(/\[\d+\]/g, '') === p)
      ) {
        problems.push(`${at}: in the example but missing from our answer`);
      }
    }
    return problems;
  }
  if (example !== null && ours !== null && typeof ours !== typeof example)
    return [`${path}: ${typeof ours} where the example has ${typeof example}`];
  const key =
    path
      .split('.')
      .at(-1)
      ?.replace(/\[\d+\]$/, '') ?? '';
  return enumProblems(key, ours, rules, path);
}

function enumProblems(key: string, value: unknown, rules: ShapeRules, at: string): string[] {
  const allowed = rules.enums.get(key);
  if (!allowed || typeof value !== 'string') return [];
  return [...allowed].some((a) => a === value)
    ? []
    : [`${at}: "${value}" is not one of ${[...allowed].join('|')}`];
}

/** Property names and enums of one or more definitions-extract files. */
export function rulesFromDefinitions(
  extracts: { definitions: Record<string, any> }[],
  extraNames: string[] = [],
): Omit<ShapeRules, 'notModelled'> {
  const specNames = new Set<string>([
    'id',
    'name',
    'type',
    'location',
    'tags',
    'properties',
    'systemData',
    ...extraNames,
  ]);
  const enums = new Map<string, Set<string>>();
  for (const { definitions } of extracts) {
    const enumOf = (schema: any): string[] | undefined => {
      if (schema?.enum) return schema.enum as string[];
      const ref =
        typeof schema?.$ref === 'string' && schema.$ref.startsWith('#/definitions/')
          ? definitions[schema.$ref.slice(14)]
          : undefined;
      return ref?.enum as string[] | undefined;
    };
    for (const definition of Object.values(definitions)) {
      for (const [name, schema] of Object.entries((definition as any).properties ?? {})) {
        specNames.add(name);
        const values = enumOf(schema);
        if (values) enums.set(name, new Set([...(enums.get(name) ?? []), ...values]));
      }
    }
  }
  return { specNames, enums };
}
