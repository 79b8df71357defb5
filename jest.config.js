const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The reliability suite has its own config and command (npm run test:reliability).
  testPathIgnorePatterns: ['/test/reliability/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 30000,
  // One worker more than there are cores: the end-to-end and integration files spend most of their time
  // waiting on a simulated clock, not computing, so a third file on two cores fills that time. Every
  // local world binds port 0 on 127.0.0.1 and works in a folder of its own (mkdtemp), so files can run
  // side by side. (Jest's default, cores - 1, is one worker on two cores.)
  maxWorkers: availableParallelism() + 1,
  // Longest files first, also on a fresh clone without jest's cache of earlier durations.
  testSequencer: '<rootDir>/test/helpers/slowFirstSequencer.js',
};
