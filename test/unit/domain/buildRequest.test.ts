import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildRequestSchema } from '../../../src/domain/buildRequest';
import { validateWith, parseJsonText } from '../../../src/domain/validation';
import { checkBuildRequestText } from '../../../src/domain/planRequest';
import { exampleInput, readJson, ROOT } from '../../helpers/requests';

const NOW = new Date('2026-11-28T00:00:00Z');

function findingsFor(edit: (input: Record<string, any>) => void) {
  const input = exampleInput() as Record<string, any>;
  edit(input);
  const result = validateWith(buildRequestSchema, input);
  return result.findings;
}

describe('build request contract', () => {
  it.each(readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json')))(
    'example %s is valid',
    (file) => {
      const result = validateWith(buildRequestSchema, readJson(join(ROOT, 'examples', file)));
      expect(result.findings).toEqual([]);
      expect(result.ok).toBe(true);
    },
  );

  it('applies defaults an Azure engineer would expect', () => {
    const request = buildRequestSchema.parse({
      requestId: 'r1',
      source: exampleInput().source,
      image: { ...exampleInput().image, version: undefined, hyperVGeneration: undefined },
    });
    expect(request.image.version).toBe('auto');
    expect(request.image.hyperVGeneration).toBe('V2');
    expect(request.replication).toEqual({
      storageAccountType: 'Standard_LRS',
      headroomPercent: 20,
      extraRegions: [],
      excludeFromLatest: false,
    });
    expect(request.pools).toEqual([]);
    expect(request.retention).toEqual({ keepVersions: 3, deleteIntermediates: true });
  });

  it('normalises region display names', () => {
    const input = exampleInput();
    input.pools![0]!.account.region = 'West Europe';
    expect(buildRequestSchema.parse(input).pools[0]!.account.region).toBe('westeurope');
  });

  it('accepts snapshot and existing-version sources', () => {
    expect(validateWith(buildRequestSchema, exampleInput('snapshot-source')).ok).toBe(true);
    const input = exampleInput();
    input.source = {
      type: 'galleryImageVersion',
      id: `${input.image.galleryId}/images/ubuntu2204-render/versions/1.3.0`,
    };
    expect(validateWith(buildRequestSchema, input).ok).toBe(true);
  });

  it.each<[string, (i: Record<string, any>) => void, string, string, RegExp]>([
    ['missing requestId', (i) => delete i.requestId, 'FIELD_REQUIRED', 'requestId', /requestId is required/],
    [
      'wrong type',
      (i) => (i.pools[0].targetDedicatedNodes = '3000'),
      'FIELD_INVALID',
      'pools[0].targetDedicatedNodes',
      /must be a number, not string/,
    ],
    [
      'negative nodes',
      (i) => (i.pools[0].targetDedicatedNodes = -1),
      'FIELD_INVALID',
      'pools[0].targetDedicatedNodes',
      /greater than or equal to 0/,
    ],
    [
      'bad enum',
      (i) => (i.image.osType = 'linux'),
      'FIELD_INVALID',
      'image.osType',
      /use one of "Linux", "Windows"/,
    ],
    [
      'bad source type',
      (i) => (i.source.type = 'vhd'),
      'FIELD_INVALID',
      'source.type',
      /"virtualMachine", "snapshots"/,
    ],
    [
      'typo',
      (i) => (i.pools[0].targetDedicatedNode = 3),
      'FIELD_UNKNOWN',
      'pools[0].targetDedicatedNode',
      /did you mean "targetDedicatedNodes"/,
    ],
    [
      'bad id',
      (i) => (i.source.id = '/subscriptions/x/vm'),
      'RESOURCE_ID_INVALID',
      'source.id',
      /not a GUID/,
    ],
    [
      'wrong id type',
      (i) => (i.image.galleryId = i.source.id),
      'RESOURCE_ID_WRONG_TYPE',
      'image.galleryId',
      /must be a Microsoft.Compute\/galleries id/,
    ],
    ['bad version', (i) => (i.image.version = '1.4'), 'FIELD_INVALID', 'image.version', /major.minor.patch/],
    [
      'bad region',
      (i) => (i.pools[0].account.region = 'Europe/West'),
      'FIELD_INVALID',
      'pools[0].account.region',
      /region name/,
    ],
    [
      'bad definition',
      (i) => (i.image.definition = '-render'),
      'FIELD_INVALID',
      'image.definition',
      /1-80 letters/,
    ],
  ])('%s → %s at %s', (_name, edit, code, path, message) => {
    const findings = findingsFor(edit);
    const match = findings.find((f) => f.code === code && f.path === path);
    expect(match).toBeDefined();
    expect(match!.severity).toBe('error');
    expect(match!.message).toMatch(message);
  });

  it('reports every problem at once, not just the first', () => {
    const findings = findingsFor((i) => {
      delete i.requestId;
      i.image.osType = 'Solaris';
      i.pools[0].vmSize = '';
    });
    expect(findings.map((f) => f.path).sort()).toEqual(['image.osType', 'pools[0].vmSize', 'requestId']);
  });

  it('reports a JSON syntax error with its line and column', () => {
    const parsed = parseJsonText('{\n  "requestId": "x",\n  "source": }');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.finding.code).toBe('REQUEST_NOT_JSON');
    expect(parsed.finding.message).toMatch(/line 3, column 13/);
  });

  it('ignores a UTF-8 byte order mark before the JSON (RFC 8259 §8.1)', () => {
    expect(parseJsonText('\uFEFF{"requestId": "x"}')).toEqual({ ok: true, value: { requestId: 'x' } });
  });

  it('does not plan a request whose shape is wrong', () => {
    const result = checkBuildRequestText('{"requestId": 5}', { now: NOW });
    expect(result.ok).toBe(false);
    expect(result.summary.regions).toEqual([]);
    expect(result.summary.valid).toBe(false);
  });
});
