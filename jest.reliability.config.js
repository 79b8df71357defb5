/** The reliability suite: real pieces, faults, crashes and bad input. `npm run test:reliability`. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 180000,
  // The files mostly wait on the simulated clock (ledger: 44 s wall for 8 s CPU), so three files share
  // two cores well (four did not: the 50-build burst ran past its wait). Each file has its own world:
  // a temp folder, ports from 0, and a kill -9 only of the PIDs (or process group) it started.
  maxWorkers: 3,
  testSequencer: '<rootDir>/test/reliability/fixedOrder.js',
  reporters: ['default', '<rootDir>/test/reliability/summaryReporter.js'],
};
