// Runs the slowest files first so the parallel workers finish together. Jest does this by itself
// only once its cache holds each file's last duration; without it (a fresh clone, CI) it goes by
// file size, which puts the short kill -9 files — among the longest to run — last, and the run
// then waits on one of them alone. These figures (seconds, one worker, quiet 2-core machine) stand
// in until the cache knows better.
const Sequencer = require('@jest/test-sequencer').default;

const SECONDS = {
  'cutoverCrash.test.ts': 82,
  'crash.test.ts': 81,
  'burst.test.ts': 77,
  'ledgerTerminated.test.ts': 60,
  'faults.test.ts': 52,
};
const UNKNOWN = 20;

class LongestFirst extends Sequencer {
  sort(tests) {
    const seconds = (test) =>
      (this.time(test) ?? 0) / 1000 || SECONDS[test.path.split(/[\\/]/).pop()] || UNKNOWN;
    return [...tests].sort((a, b) => seconds(b) - seconds(a));
  }
}

module.exports = LongestFirst;
