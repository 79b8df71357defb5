// Orders test files for several jest workers: the longest first, so no long file starts last and runs
// alone at the end. Jest's own sequencer knows durations only from its cache of earlier runs; a fresh clone
// (CI) has none and falls back to file size, which put the 50 s `bif simulate` file (88 lines) last. Here a
// file without a cached duration gets an estimate from its folder: end-to-end files wait on a simulated
// clock for tens of seconds, integration files for seconds, unit files for less.
const Sequencer = require('@jest/test-sequencer').default;

/** Estimated seconds by file or folder (first match), for files jest has not timed yet. */
const ESTIMATES = [
  // Two `bif start --once` worlds one after the other, then `bif simulate`: the longest file.
  [/[\\/]test[\\/]e2e[\\/]simulate\.test\.ts$/, 60],
  [/[\\/]test[\\/]e2e[\\/]/, 30],
  // Files outside e2e that took 7 s or more in a one-worker run: npm packing, whole pipelines, processes.
  [/[\\/]integration[\\/]artifact\.test\.ts$/, 25],
  [/[\\/]unit[\\/]orchestrators[\\/]waits\.test\.ts$/, 20],
  [/[\\/]integration[\\/]simulator[\\/]\w+Pipeline\.test\.ts$/, 18],
  [/[\\/]integration[\\/]local[\\/]azurite\.test\.ts$/, 13],
  [/[\\/]unit[\\/](lint[\\/]goToDefinition|cli[\\/]bif)\.test\.ts$/, 8],
  [/[\\/]test[\\/]integration[\\/]/, 5],
];

function estimate(path) {
  const found = ESTIMATES.find(([pattern]) => pattern.test(path));
  return (found ? found[1] : 1) * 1000;
}

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const order = new Map(super.sort([...tests]).map((test, i) => [test, i]));
    const expected = (test) => this.time(test) ?? estimate(test.path);
    return [...tests].sort(
      (a, b) =>
        Number(this.hasFailed(b)) - Number(this.hasFailed(a)) ||
        expected(b) - expected(a) ||
        order.get(a) - order.get(b),
    );
  }
}

module.exports = SlowFirstSequencer;
