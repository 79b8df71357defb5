import { INTAKE_RETRY_DELAYS_MS, intakeFailureKind, retryTransient } from '../../../src/triggers/intakeRetry';
import { PermanentError, TransientError } from '../../../src/domain/errors';

const log = { info: () => undefined, warn: () => undefined };

/** An attempt that throws the given errors in turn, then answers 'done'. */
function failing(...errors: unknown[]) {
  let calls = 0;
  const attempt = async () => {
    const error = errors[calls++];
    if (error !== undefined) throw error;
    return 'done';
  };
  return { attempt, calls: () => calls };
}

describe('the Service Bus intake retries what may clear by itself, and only that', () => {
  it('waits the given delays between transient failures and returns the answer', async () => {
    const slept: number[] = [];
    const { attempt, calls } = failing(
      new Error('The operation failed with an unexpected status code: 503.'),
    );
    const result = await retryTransient(attempt, {
      delaysMs: [10, 20],
      log,
      what: 'm',
      sleep: async (ms) => void slept.push(ms),
    });
    expect(result).toBe('done');
    expect(calls()).toBe(2);
    expect(slept).toEqual([10]);
  });

  it('throws the last transient failure once the tries are spent', async () => {
    const last = new TransientError('third', 'ServiceBusError');
    const { attempt, calls } = failing(new TransientError('1', 'x'), new TransientError('2', 'x'), last);
    await expect(
      retryTransient(attempt, { delaysMs: [1, 1], log, what: 'm', sleep: async () => undefined }),
    ).rejects.toBe(last);
    expect(calls()).toBe(3);
  });

  it('throws a permanent failure at once', async () => {
    const permanent = new PermanentError('no topic', 'MessagingEntityNotFound');
    const { attempt, calls } = failing(permanent);
    await expect(
      retryTransient(attempt, { delaysMs: [1, 1], log, what: 'm', sleep: async () => undefined }),
    ).rejects.toBe(permanent);
    expect(calls()).toBe(1);
  });

  it.each([
    ['The operation failed with an unexpected status code: 503. Details: {}', 'transient'],
    ['The operation failed with an unexpected status code: 429. Details: {}', 'transient'],
    ['The operation failed with an unexpected status code: 400. Details: {}', 'permanent'],
    ['The operation failed with an unexpected status code: 403. Details: {}', 'permanent'],
    ['connect ECONNREFUSED 127.0.0.1:7071', 'transient'],
  ])('reads %j as %s', (message, kind) => {
    expect(intakeFailureKind(new Error(message))).toBe(kind);
  });

  it('spends 3 tries over 30-60 s, well inside the lock renewal window (5 minutes)', () => {
    const total = INTAKE_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(INTAKE_RETRY_DELAYS_MS).toHaveLength(2);
    expect(total).toBeGreaterThanOrEqual(30_000);
    expect(total).toBeLessThanOrEqual(60_000);
  });
});
