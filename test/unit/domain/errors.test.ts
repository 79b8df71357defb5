import {
  PermanentError,
  TransientError,
  encodeForDurable,
  parseFactoryError,
} from '../../../src/domain/errors';
import { activityTaskFailure } from '../../../src/local/host/durable/activityFailure';

describe('typed errors across the activity boundary', () => {
  const typed = new TransientError(
    'Quota {regional} "cores" exceeded.\nRetry later.',
    'QuotaExceeded',
    'westeurope',
  );

  it('reads the bare form', () => {
    expect(parseFactoryError(encodeForDurable(typed))).toEqual(typed.toJSON());
  });

  it('reads the JSON when a stack or details follow it, and braces or quotes inside its strings', () => {
    const encoded = encodeForDurable(typed);
    for (const text of [
      `${encoded}\n    at provision (dist/activities/provisioning.js:10:11)`,
      `Error: ${encoded}\nStack: Error: ${encoded}`,
      // What durable-functions 3.5.0 builds from the extension's TaskFailed Reason and Details.
      (({ Reason, Details }) => `${Reason} \n ${Details}`)(
        activityTaskFailure('provisionVersion', new Error(encoded)),
      ),
    ])
      expect(parseFactoryError(text)).toEqual(typed.toJSON());
  });

  it('skips a marker that is not followed by our JSON and finds the next one', () => {
    const permanent = new PermanentError('Image definition is specialized.', 'ImageNotGeneralized');
    expect(parseFactoryError(`BIF_ERROR: none here; ${encodeForDurable(permanent)}`)).toEqual(
      permanent.toJSON(),
    );
  });

  it('returns nothing for text without a complete typed error', () => {
    expect(parseFactoryError('Activity function x failed: boom')).toBeUndefined();
    expect(parseFactoryError('BIF_ERROR:{"kind":"transient","code":"X"')).toBeUndefined();
    expect(parseFactoryError('BIF_ERROR:{"kind":"other","code":"X","message":"m"}')).toBeUndefined();
  });
});
