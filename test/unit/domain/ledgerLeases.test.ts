import {
  ACCOUNTS_REMEMBERED,
  dropFinishedHolders,
  emptyLedger,
  foldRunningHolders,
  ledgerStatusReadable,
  grantLease,
  leasesShown,
  rebuildLedger,
  releaseLease,
  rememberAccounts,
} from '../../../src/domain/ledger';

/** The ledger review's defects at the pure level (the reliability suite drives them on the real app). */
const DEF = '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/render';
const account = (n: number) => ({
  id: `/subscriptions/s/batchAccounts/a${n}`,
  endpoint: `https://a${n}`,
  region: 'r',
});

describe('ledger leases', () => {
  it('gives a restarted build (same instance, new execution) its NEW version, not the earlier run’s', () => {
    const ledger = emptyLedger(DEF);
    expect(grantLease(ledger, { from: 'p', execution: 'e1', version: '1.0.0' }, [])).toMatchObject({
      version: '1.0.0',
    });
    expect(grantLease(ledger, { from: 'p', execution: 'e1', version: '2.0.0' }, [])).toMatchObject({
      version: '1.0.0',
    });
    expect(grantLease(ledger, { from: 'p', execution: 'e2', version: '2.0.0' }, [])).toMatchObject({
      version: '2.0.0',
    });
    expect(Object.values(ledger.leases).map((l) => l.version)).toEqual(['2.0.0']);
  });

  it('lets a late release from an earlier execution leave the new execution’s lease alone', () => {
    const ledger = emptyLedger(DEF);
    grantLease(ledger, { from: 'p', execution: 'e2', version: '2.0.0' }, []);
    releaseLease(ledger, 'p', 'e1');
    expect(ledger.leases.p?.version).toBe('2.0.0');
    releaseLease(ledger, 'p', 'e2');
    expect(ledger.leases.p).toBeUndefined();
  });

  it('shares a lease of an existing version between rollouts, and still refuses a build creating it', () => {
    const ledger = emptyLedger(DEF);
    expect(grantLease(ledger, { from: 'r1', version: '1.0.0', shared: true }, []).ok).toBe(true);
    expect(grantLease(ledger, { from: 'r2', version: '1.0.0', shared: true }, []).ok).toBe(true);
    expect(grantLease(ledger, { from: 'b', version: '1.0.0' }, [])).toMatchObject({ ok: false });
  });

  it('drops the leases of finished or missing holders and keeps running ones', () => {
    const ledger = emptyLedger(DEF);
    for (const [i, holder] of ['run', 'done', 'failed', 'ended', 'gone', 'unasked'].entries())
      grantLease(ledger, { from: holder, version: `1.0.${i}` }, []);
    const dropped = dropFinishedHolders(ledger, {
      run: 'Running',
      done: 'Completed',
      failed: 'Failed',
      ended: 'Terminated',
      gone: 'Missing',
    });
    expect(dropped.sort()).toEqual(['done', 'ended', 'failed', 'gone']);
    expect(Object.keys(ledger.leases).sort()).toEqual(['run', 'unasked']);
  });

  it('remembers every account named, case-insensitively, the newest kept beyond the bound', () => {
    const ledger = emptyLedger(DEF);
    rememberAccounts(ledger, [account(1)]);
    rememberAccounts(ledger, [{ ...account(1), id: account(1).id.toUpperCase() }, account(2)]);
    expect(ledger.accounts).toHaveLength(2);
    for (let n = 3; n < ACCOUNTS_REMEMBERED + 10; n++) rememberAccounts(ledger, [account(n)]);
    expect(ledger.accounts).toHaveLength(ACCOUNTS_REMEMBERED);
    expect(ledger.accounts!.at(-1)!.id).toBe(account(ACCOUNTS_REMEMBERED + 9).id);
  });

  it('rebuilds a failed ledger from its last input and custom status: leases and highestAllocated survive', () => {
    const last = emptyLedger(DEF);
    grantLease(last, { from: 'old', execution: 'e', version: 'auto' }, ['1.0.0']);
    const input = structuredClone(last);
    grantLease(last, { from: 'new', execution: 'e', version: 'auto' }, ['1.0.0']);
    grantLease(last, { from: 'reader', version: '1.0.0', shared: true }, []);
    const rebuilt = rebuildLedger(DEF, {
      input,
      customStatus: { highestAllocated: last.highestAllocated, leases: leasesShown(last, 20) },
    });
    expect(rebuilt.leases).toEqual(last.leases);
    expect(rebuilt.highestAllocated).toBe('1.0.2');
    expect(grantLease(rebuilt, { from: 'next', version: 'auto' }, ['1.0.0'])).toMatchObject({
      version: '1.0.3',
    });
  });

  it('starts empty from nothing usable, and ignores another definition’s state', () => {
    expect(rebuildLedger(DEF, undefined)).toEqual(emptyLedger(DEF));
    expect(rebuildLedger(DEF, { input: { ...emptyLedger(`${DEF}2`), highestAllocated: '9.0.0' } })).toEqual(
      emptyLedger(DEF),
    );
  });

  it('with its status lost (null or not a ledger status), rebuilds from the input and the versions running builds show', () => {
    const input = emptyLedger(DEF);
    grantLease(input, { from: 'old', execution: 'e', version: 'auto' }, ['1.0.0']);
    for (const customStatus of [null, 'null', 'garbage', { leases: 'x' }]) {
      expect(ledgerStatusReadable(customStatus)).toBe(false);
      const rebuilt = rebuildLedger(DEF, { input, customStatus });
      expect(rebuilt.leases).toEqual(input.leases);
      expect(rebuilt.highestAllocated).toBe('1.0.1');
      foldRunningHolders(rebuilt, [
        { instanceId: 'lost', customStatus: { imageVersionId: `${DEF.toUpperCase()}/versions/1.0.4` } },
        { instanceId: 'other-def', customStatus: { imageVersionId: `${DEF}2/versions/9.0.0` } },
        { instanceId: 'no-status', customStatus: null },
      ]);
      expect(rebuilt.leases.lost).toEqual({ version: '1.0.4', versionId: `${DEF}/versions/1.0.4` });
      expect(Object.keys(rebuilt.leases).sort()).toEqual(['lost', 'old']);
      expect(grantLease(rebuilt, { from: 'next', version: 'auto' }, ['1.0.0'])).toMatchObject({
        version: '1.0.5',
      });
    }
    expect(ledgerStatusReadable({ leases: [] })).toBe(true);
  });
});
