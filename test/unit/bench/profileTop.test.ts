import { selfTimeByFunction } from '../../../src/bench/profileTop';

describe('profile reader for the bench', () => {
  it('sums self time per function across samples, largest first', () => {
    const frame = (functionName: string, lineNumber: number) => ({
      functionName,
      url: 'file:///work/x/dist/local/host/durable/store.js',
      lineNumber,
    });
    const rows = selfTimeByFunction({
      nodes: [
        { id: 1, callFrame: frame('prepare', 3) },
        { id: 2, callFrame: frame('instance', 40) },
        { id: 3, callFrame: frame('prepare', 3) }, // the same function reached by another path
      ],
      samples: [1, 2, 3, 3],
      timeDeltas: [1000, 5000, 2000, 3000],
    });
    expect(rows.map((r) => [r.name, r.ms])).toEqual([
      ['prepare dist/local/host/durable/store.js:4', 6],
      ['instance dist/local/host/durable/store.js:41', 5],
    ]);
    expect(rows[0]!.share).toBeCloseTo(6 / 11);
  });
});
