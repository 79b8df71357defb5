import { isTerminal } from '../../../src/local/host/durable/runtimeStatus';
import type { RuntimeStatus } from '../../../src/local/host/durable/store';

describe('isTerminal', () => {
  it('ends at Completed, Failed and Terminated; ContinuedAsNew is a running instance passing to its next execution', () => {
    const all: RuntimeStatus[] = [
      'Pending',
      'Running',
      'Completed',
      'ContinuedAsNew',
      'Failed',
      'Terminated',
    ];
    expect(all.filter(isTerminal)).toEqual(['Completed', 'Failed', 'Terminated']);
  });
});
