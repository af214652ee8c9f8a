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
  // ESM-only packages: jose (the authorizer tests mint tokens with it), @pdfme/pdf-lib and its color packages (invoices).
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|@pdfme/pdf-lib|color|color-string|color-convert|color-name)/)',
  ],
  testEnvironment: 'node',
  // The local cloud is a workspace package: the product uses it from source, as tsconfig's paths say.
  moduleNameMapper: {
    '^cdk-local-cloud$': '<rootDir>/local/index.ts',
    '^cdk-local-cloud/testing$': '<rootDir>/local/testing.ts',
    // A dynamic import names the emitted `.js` (NodeNext); esbuild and this mapper find the `.ts` source.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
const localCloud = require('./local/jest.config.js');

/**
 * The run's directory, where the product's cloud assembly and the infra templates are built once per run and shared
 * by every suite and worker (test/support/run-cache.ts). jest runs it only when a project that names it has tests.
 */
const sharedBuilds = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option only (jest ignores it per project); the integration and e2e projects set their own in
  // setupFilesAfterEnv. On a loaded 2-core machine jest's 5 s default is too short even for infra synths.
  testTimeout: 30000,
  // jest's default (cores - 1) runs a 2-core machine in band; the suites spend much of their time waiting on synths,
  // engines and sockets, so two workers overlap that: the whole run took 12.5 min instead of 18 here, all passing.
  maxWorkers: 2,
  // Slowest first (jest's own order), but never two suites waiting on the one synth of the product at the start.
  testSequencer: '<rootDir>/test/support/test-sequencer.js',
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
      // Setup synthesizes stacks and starts engines; on a loaded 2-core machine that outruns jest's 5 s.
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-timeout.ts'],
    },
    { ...common, ...sharedBuilds, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...common,
      ...sharedBuilds,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
    // The web console in headless Chromium (playwright-core, Debian's chromium package) on the local cloud.
    {
      ...common,
      ...sharedBuilds,
      displayName: 'console',
      testMatch: ['<rootDir>/test/console/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
    // Races, a fixed-count two-tenant soak, limits, crash and restart: bounded, each prints its figures.
    {
      ...common,
      ...sharedBuilds,
      displayName: 'reliability',
      testMatch: ['<rootDir>/test/reliability/**/*.reliability.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
    // The local cloud's own suites (local/test), as `npm test -w cdk-local-cloud` runs them.
    ...(localCloud.projects ?? []),
  ],
};
