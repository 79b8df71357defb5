import { EVENT_TYPES, EVENT_DATA_SCHEMAS, eventId, makeEvent } from '../../../src/domain/events';
import { WAVE_EVENT_TYPES } from '../../../src/domain/cutover/waveEvents';
import { isRefreshDue, poolIdForVersion, imageDefinitionId } from '../../../src/domain/factoryConfig';
import { POOL_ID_PATTERN } from '../../../src/domain/planning/pools';

describe('event catalogue', () => {
  const data = {
    requestId: 'r1',
    instanceId: 'bif-r1',
    accountId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Batch/batchAccounts/a',
    poolId: 'render-1-4-0',
    replacedBy: 'render-1-5-0',
  };

  it('defines every milestone type with a data schema each, the cutover types (gate, rollback, capacity, waves) among them', () => {
    expect(Object.values(EVENT_TYPES)).toEqual(
      expect.arrayContaining([
        'BatchImageFactory.Pool.GatePassed',
        'BatchImageFactory.Pool.GateFailed',
        'BatchImageFactory.Pool.RolledBack',
        'BatchImageFactory.Pool.ShrunkForCutover',
        'BatchImageFactory.Pool.CutoverReplanned',
        'BatchImageFactory.Pool.UpdatedInPlace',
        'BatchImageFactory.Pool.SmokeTested',
        'BatchImageFactory.Pool.JobsMigrated',
        'BatchImageFactory.Pool.JobsMovedBack',
        ...Object.values(WAVE_EVENT_TYPES),
      ]),
    );
    expect(Object.keys(EVENT_DATA_SCHEMAS).sort()).toEqual(Object.values(EVENT_TYPES).sort());
  });

  it('makes CloudEvents 1.0 with a deterministic id', () => {
    const args = { instanceId: 'bif-r1', subject: 'pools/render-1-4-0', time: '2026-11-28T10:00:00Z', data };
    const a = makeEvent(EVENT_TYPES.poolRetired, args);
    const b = makeEvent(EVENT_TYPES.poolRetired, { ...args, time: '2026-11-28T11:00:00Z' });
    expect(a).toMatchObject({
      specversion: '1.0',
      type: 'BatchImageFactory.Pool.Retired',
      source: '/batch-image-factory/pipelines/bif-r1',
      datacontenttype: 'application/json',
    });
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    expect(eventId('bif-r1', EVENT_TYPES.poolRetired, 'pools/other')).not.toBe(a.id);
    expect(eventId('bif-r2', EVENT_TYPES.poolRetired, 'pools/render-1-4-0')).not.toBe(a.id);
  });

  it('refuses data that does not fit the type', () => {
    expect(() =>
      makeEvent(EVENT_TYPES.poolReady, { instanceId: 'i', subject: 's', time: 't', data: data as never }),
    ).toThrow(/currentDedicatedNodes/);
  });
});

describe('factory config helpers', () => {
  it('derives a valid Batch pool id per version', () => {
    expect(poolIdForVersion('render-{version}', '1.4.0')).toBe('render-1-4-0');
    expect(POOL_ID_PATTERN.test(poolIdForVersion('r_{version}_{version}', '10.20.30'))).toBe(true);
  });

  it('is due for refresh when there is no version or the newest is old enough', () => {
    const now = new Date('2026-11-28T03:00:00Z');
    expect(isRefreshDue('P7D', undefined, now)).toBe(true);
    expect(isRefreshDue('P7D', new Date('2026-11-21T03:00:00Z'), now)).toBe(true);
    expect(isRefreshDue('P7D', new Date('2026-11-21T03:00:01Z'), now)).toBe(false);
  });

  it('names the image definition by id', () => {
    expect(
      imageDefinitionId({
        galleryId: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries/g/',
        definition: 'd',
      }),
    ).toBe('/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries/g/images/d');
  });
});
