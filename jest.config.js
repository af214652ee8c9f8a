// @ts-check
/** Test tiers, each in its own folder; see README "Tests". */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
  ],
};
const common = {
  transform,
  // jose (used by the authorizer tests to mint tokens) is ESM-only.
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option only (jest ignores it per project). Setup synthesizes stacks and starts engines, and on a
  // loaded 2-core machine that outran jest's 5 s default; suites that need longer say so in their hooks.
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/library-env.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFiles: ['<rootDir>/test/support/library-env.ts'],
    },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'] },
    // Races, a fixed-count two-tenant soak, limits, crash and restart: bounded, each prints its figures.
    {
      ...common,
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/reliability/**/*.reliability.test.ts'],
    },
  ],
};
