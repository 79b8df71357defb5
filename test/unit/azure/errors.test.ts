import { toFactoryError } from '../../../src/azure/errors';

/** The shape @azure/core-rest-pipeline's RestError has: statusCode, code, message. */
function restError(statusCode: number, code: string, message: string) {
  return Object.assign(new Error(message), { name: 'RestError', statusCode, code });
}

describe('409 OperationNotAllowed', () => {
  it('is permanent when the gallery image identifier is already taken (retrying never helps)', () => {
    const error = toFactoryError(
      restError(
        409,
        'OperationNotAllowed',
        'Gallery image: other identified by (publisher:Contoso, offer:Render, sku:22.04) already exists. Choose a different publisher, offer, sku combination.',
      ),
      'ensureImageDefinition',
      'render',
    );
    expect(error.kind).toBe('permanent');
  });

  it('is permanent for a quota refusal', () => {
    const error = toFactoryError(
      restError(409, 'OperationNotAllowed', 'Operation results in exceeding quota limits of Core.'),
      'createPool',
      'p',
    );
    expect(error.kind).toBe('permanent');
  });

  it('is transient while another operation is in progress on the resource', () => {
    const error = toFactoryError(
      restError(
        409,
        'OperationNotAllowed',
        'Another operation is in progress on the resource; try again later.',
      ),
      'updateTargetRegions',
      'v',
    );
    expect(error.kind).toBe('transient');
  });
});

describe('Batch’s resize conflicts', () => {
  it('PoolBeingResized is transient (the resize ends by itself), keeping Batch’s code for callers that act on it', () => {
    const error = toFactoryError(
      restError(409, 'PoolBeingResized', 'The specified pool is being resized.'),
      'Resizing pool',
      'acc/pools/old',
    );
    expect(error).toMatchObject({ kind: 'transient', code: 'PoolBeingResized' });
  });

  it('PoolBeingDeleted is permanent: the pool will not come back', () => {
    const error = toFactoryError(
      restError(409, 'PoolBeingDeleted', 'The specified pool has been marked for deletion.'),
      'Resizing pool',
      'acc/pools/old',
    );
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/being deleted: wait until it is gone/);
  });
});
