// Starts the files in a fixed order so the parallel workers finish together. Jest by itself goes by
// each file's last duration in its cache, or without one (a fresh clone, CI) by file size, which puts
// the short kill -9 files, among the longest to run, last: the run then waits on one of them alone.
// Longest first, except the burst (50 builds at once, the one file that keeps a core busy): it runs
// beside the two kill -9 files, which mostly wait on a slow simulated clock (speed 120). Figures:
// seconds with three workers on a busy 2-core machine. A file not listed runs after these.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = [
  'burst.test.ts', // 47
  'crash.test.ts', // 102
  'cutoverCrash.test.ts', // 100
  'ledgerTerminated.test.ts', // 67
  'faults.test.ts', // 64
  'restart.test.ts', // 59
  'ledger.test.ts', // 36
  'identity.test.ts', // 31
  'retryAfterFailure.test.ts', // 26
  'poolOwnership.test.ts', // 24
  'badInputs.test.ts', // 18
  'eventIdentity.test.ts', // 14
  'completedBuild.test.ts', // 12
  'duplicates.test.ts', // 11
  'purgedLeftovers.test.ts', // 10
  'doors.test.ts', // 8
];

class FixedOrder extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const i = ORDER.indexOf(test.path.split(/[\\/]/).pop());
      return i === -1 ? ORDER.length : i;
    };
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
}

module.exports = FixedOrder;
