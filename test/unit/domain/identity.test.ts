import fc from 'fast-check';
import {
  INSTANCE_ID_MAX,
  executionStamp,
  SNAPSHOT_NAME_MAX,
  pipelineInstanceId,
  regionInstanceId,
  snapshotName,
} from '../../../src/domain/pipeline';
import { EVENT_TYPES, eventId } from '../../../src/domain/events';

/** What buildRequest accepts as a requestId: 1–100 characters, a letter or digit first. */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const idChar = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-'.split(''),
);
const requestId = (minLength: number) =>
  fc
    .tuple(
      fc.constantFrom(...'aZ09'.split('')),
      fc.array(idChar, { minLength: Math.max(0, minLength - 1), maxLength: 99 }),
    )
    .map(([first, rest]) => first + rest.join(''));
/** Two ids that share a long prefix, as the probe's 75–100 character ids did. */
const similarPair = fc
  .tuple(requestId(60), fc.array(idChar, { minLength: 1, maxLength: 20 }))
  .map(([a, tail]) => [a, (a.slice(0, 100 - tail.length) + tail.join('')).slice(0, 100)] as const)
  .filter(([a, b]) => a !== b);
/** An execution stamp as a pipeline makes it (its start time, base 36). */
const STAMP = executionStamp(new Date('2026-11-29T18:00:00Z'));
const SNAPSHOT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;
const INSTANCE_ID = /^[A-Za-z0-9_.:-]+$/;

describe('names derived from requestIds', () => {
  it('are valid for every accepted requestId, up to the maximum length', () => {
    for (const minLength of [1, 90])
      fc.assert(
        fc.property(requestId(minLength), (id) => {
          expect(REQUEST_ID.test(id)).toBe(true);
          const instance = pipelineInstanceId(id);
          expect(instance.length).toBeLessThanOrEqual(INSTANCE_ID_MAX);
          expect(instance).toMatch(INSTANCE_ID);
          expect(regionInstanceId(instance, 'southeastasia', STAMP).length).toBeLessThanOrEqual(
            INSTANCE_ID_MAX,
          );
          for (const name of [snapshotName(id, 'os'), snapshotName(id, 'data', 63)]) {
            expect(name.length).toBeLessThanOrEqual(SNAPSHOT_NAME_MAX);
            expect(name).toMatch(SNAPSHOT_NAME);
          }
        }),
        { numRuns: 500 },
      );
  });

  it('never collide: distinct requestIds give distinct instances, children and snapshots (ARM names ignore case)', () => {
    const check = (a: string, b: string) => {
      if (a === b) return;
      expect(pipelineInstanceId(a)).not.toBe(pipelineInstanceId(b));
      expect(regionInstanceId(pipelineInstanceId(a), 'westeurope', STAMP)).not.toBe(
        regionInstanceId(pipelineInstanceId(b), 'westeurope', STAMP),
      );
      for (const [role, lun] of [['os'], ['data', 0], ['data', 12]] as const)
        expect(snapshotName(a, role, lun).toLowerCase()).not.toBe(snapshotName(b, role, lun).toLowerCase());
    };
    fc.assert(
      fc.property(similarPair, ([a, b]) => check(a, b)),
      { numRuns: 500 },
    );
    fc.assert(fc.property(requestId(70), requestId(70), check), { numRuns: 300 });
    // The probe's cases: 100 characters differing only at the end, and ids differing only in case.
    const long = 'x'.repeat(95);
    check(`${long}-a001`, `${long}-a002`);
    check('Render-1', 'render-1');
  });

  it('keeps short, plain names readable and stable', () => {
    expect(pipelineInstanceId('rel-21')).toBe('bif-rel-21');
    expect(snapshotName('rel-21', 'data', 1)).toBe('bif-rel-21-data1');
    expect(regionInstanceId('bif-rel-21', 'westeurope', STAMP)).toBe(`bif-rel-21:${STAMP}:region:westeurope`);
  });
});

describe('event ids', () => {
  it('tell causes apart: the same (instance, type, subject) in another occurrence is another event', () => {
    const a = eventId('bif-r1', EVENT_TYPES.pipelineFailed, 'pipelines/bif-r1', '2026-11-28T10:00:00.000Z');
    expect(
      eventId('bif-r1', EVENT_TYPES.pipelineFailed, 'pipelines/bif-r1', '2026-11-28T10:00:00.000Z'),
    ).toBe(a);
    expect(
      eventId('bif-r1', EVENT_TYPES.pipelineFailed, 'pipelines/bif-r1', '2026-11-29T10:00:00.000Z'),
    ).not.toBe(a);
  });
});
