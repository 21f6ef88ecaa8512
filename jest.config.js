/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm run typecheck`; with isolatedModules (tsconfig.json)
  // ts-jest only transpiles each file, which keeps the suite fast.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 30000,
};
