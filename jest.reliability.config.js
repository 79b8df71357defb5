/** The reliability suite: real pieces, faults, crashes and bad input. `npm run test:reliability`. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 180000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/reliability/summaryReporter.js'],
};
