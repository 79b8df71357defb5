import { emptyLedger, grantLease, leasedVersionIds } from '../../../src/domain/ledger';
import { foldBuilds } from '../../../src/domain/ledgerBuilds';

const GALLERY = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/gal';
const DEF = `${GALLERY}/images/ubuntu`;
const account = (name: string) => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Batch/batchAccounts/${name}`,
  endpoint: `https://${name}.x`,
  region: 'westeurope',
});
const build = (id: string, status: string, version: string, accountName: string, definition = 'ubuntu') => ({
  instanceId: id,
  runtimeStatus: status,
  input: {
    request: {
      image: { galleryId: GALLERY, definition, version },
      source: { type: 'managedImage', id: '/x' },
      pools: [{ account: account(accountName) }],
    },
  },
  customStatus: { imageVersionId: `${GALLERY}/images/${definition}/versions/${version}` },
});

describe('a ledger started again learns from the listed builds of its definition', () => {
  it('remembers every account any build named, whatever its status, and none of other definitions', () => {
    const state = emptyLedger(DEF);
    foldBuilds(state, [
      build('bif-a', 'Completed', '1.0.1', 'weu'),
      build('bif-b', 'Terminated', '1.0.2', 'eus'),
      build('bif-c', 'Completed', '1.0.3', 'other', 'windows'),
    ]);
    expect(state.accounts?.map((a) => a.id.split('/').at(-1))).toEqual(['weu', 'eus']);
    expect(state.highestAllocated).toBe('1.0.2');
    expect(state.leases).toEqual({});
  });

  it('leases the versions running builds show, so retention leaves them and "auto" steps past', () => {
    const state = emptyLedger(DEF);
    foldBuilds(state, [build('bif-r', 'Running', '1.0.7', 'weu')]);
    expect(leasedVersionIds(state)).toEqual([`${DEF}/versions/1.0.7`]);
    expect(grantLease(state, { from: 'bif-n', version: 'auto' }, ['1.0.1'])).toMatchObject({
      version: '1.0.8',
    });
  });

  it('after a purge, keeps from retention every version a build no longer listed made', () => {
    const state = emptyLedger(DEF);
    const owner = (id: string) => ({ 'bif-instance': id });
    foldBuilds(
      state,
      [build('bif-a', 'Completed', '1.0.1', 'weu')],
      [
        { name: '1.0.0', tags: owner('bif-purged') },
        { name: '1.0.1', tags: owner('bif-a') },
        { name: '0.9.0', tags: {} },
      ],
    );
    expect(state.unverifiedVersions).toEqual(['1.0.0']);
    expect(leasedVersionIds(state)).toContain(`${DEF}/versions/1.0.0`);
    expect(leasedVersionIds(state)).not.toContain(`${DEF}/versions/1.0.1`);
  });
});

describe('renewing an "auto" lease found taken', () => {
  it('hands out the next version once; a re-sent renew gets the same new one', () => {
    const state = emptyLedger(DEF);
    expect(grantLease(state, { from: 'p', execution: 'e', version: 'auto' }, [])).toMatchObject({
      version: '1.0.0',
    });
    const renew = { from: 'p', execution: 'e', version: 'auto', renew: '1.0.0' };
    expect(grantLease(state, renew, ['1.0.0'])).toMatchObject({ version: '1.0.1' });
    expect(grantLease(state, renew, ['1.0.0'])).toMatchObject({ version: '1.0.1' });
  });
});
