import fc from 'fast-check';
import { REQUEST_ID_PATTERN } from '../../../src/domain/buildRequest';
import { ledgerInstanceId } from '../../../src/domain/ledger';
import { intakeInstanceId, pipelineInstanceId, rolloutInstanceId } from '../../../src/domain/pipeline';
import { INTERNAL_ID_PREFIX, instanceIdProblem } from '../../../src/domain/instanceId';

const DEF =
  '/subscriptions/6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f/resourceGroups/rg/providers/Microsoft.Compute/galleries/gal/images/ubuntu';

/** Issue #16: a user's requestId must never name an instance the app keeps for itself. */
describe('internal instance ids are out of reach of a requestId', () => {
  const internal = {
    ledger: ledgerInstanceId(DEF),
    intake: intakeInstanceId('0123456789abcdef'),
    rollout: rolloutInstanceId(`${DEF}/versions/1.0.1`),
  };

  it.each(Object.entries(internal))('the %s id cannot be taken by the requestId that spells it', (_, id) => {
    // The requestId a hostile user would send: the internal id without the pipeline's "bif-" prefix.
    const spelled = id.replace(/^bif[-:]/, '');
    expect(REQUEST_ID_PATTERN.test(spelled)).toBe(true);
    expect(pipelineInstanceId(spelled)).not.toBe(id);
    expect(id.startsWith(INTERNAL_ID_PREFIX)).toBe(true);
    expect(instanceIdProblem(id)).toBeUndefined();
  });

  it('no valid requestId maps to an id with the internal prefix', () => {
    fc.assert(
      fc.property(fc.stringMatching(REQUEST_ID_PATTERN), (requestId) => {
        expect(pipelineInstanceId(requestId).startsWith(INTERNAL_ID_PREFIX)).toBe(false);
      }),
    );
  });
});
