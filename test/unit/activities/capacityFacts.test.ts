import { gatherCapacityFacts } from '../../../src/activities/capacityFacts';
import { buildRequestSchema } from '../../../src/domain/buildRequest';
import { NotFoundError, PermanentError, TransientError } from '../../../src/domain/errors';
import { FakeWorld } from '../../helpers/fakes';
import { exampleInput } from '../../helpers/requests';

/** What preflight reads for capacity: quotas and pools once per account; an unreadable account is left out. */
const request = () => buildRequestSchema.parse(exampleInput('one-region-small'));
const KEY = request().pools[0]!.account.id.toLowerCase();
const QUOTAS = { dedicatedCoreQuota: 100, lowPriorityCoreQuota: 10, perFamily: {}, perFamilyEnforced: false };

describe('gatherCapacityFacts', () => {
  it('reads each account’s quotas and pools', async () => {
    const w = new FakeWorld();
    w.coreQuotas = QUOTAS;
    const facts = await gatherCapacityFacts(w.services(), request());
    expect(facts).toEqual({ [KEY]: { quotas: QUOTAS, pools: [] } });
  });

  it('asks only for the fields the capacity plan reads (not the autoscale run)', async () => {
    const w = new FakeWorld();
    const asked: string[][] = [];
    w.batch.listPools = async (_account: unknown, fields?: readonly string[]) => {
      asked.push([...(fields ?? [])]);
      return [];
    };
    await gatherCapacityFacts(w.services(), request());
    expect(asked).toEqual([
      [
        'vmSize',
        'currentDedicatedNodes',
        'targetDedicatedNodes',
        'currentLowPriorityNodes',
        'targetLowPriorityNodes',
        'autoScaleEnabled',
        'metadata',
      ],
    ]);
  });

  it('leaves out an account it may not read (capacity unchecked there)', async () => {
    const w = new FakeWorld();
    w.batch.getCoreQuotas = async () => {
      throw new PermanentError('forbidden', 'AuthorizationFailed', 'acct');
    };
    expect(await gatherCapacityFacts(w.services(), request())).toEqual({});
  });

  it('leaves out an account that is not there (404)', async () => {
    const w = new FakeWorld();
    w.batch.listPools = async () => {
      throw new NotFoundError('gone', 'AccountNotFound', 'acct');
    };
    expect(await gatherCapacityFacts(w.services(), request())).toEqual({});
  });

  it('fails loudly when Batch refuses our own pool list (a bug in us, not an account to skip)', async () => {
    const w = new FakeWorld();
    w.batch.listPools = async () => {
      throw new PermanentError(
        'Listing pools of Batch account acct: Azure answered 400 InvalidQueryParameterValue: Value for one of the query parameters specified in the request URI is invalid.',
        'InvalidQueryParameterValue',
        'acct',
      );
    };
    const failure = gatherCapacityFacts(w.services(), request());
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toMatchObject({
      code: 'InvalidQueryParameterValue',
      message: expect.stringMatching(/capacity.*InvalidQueryParameterValue.*bug in batch-image-factory/is),
    });
  });

  it('lets a transient failure retry the activity', async () => {
    const w = new FakeWorld();
    w.batch.getCoreQuotas = async () => {
      throw new TransientError('busy', 'ServerBusy', 'acct');
    };
    await expect(gatherCapacityFacts(w.services(), request())).rejects.toBeInstanceOf(TransientError);
  });
});
