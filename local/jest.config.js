// @ts-check
/** The local cloud's own tests (`npm test -w cdk-local-cloud`); the repository's jest config runs them too. */
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
  ],
};
const common = {
  rootDir: __dirname,
  transform,
  // jose (the tests' JWT issuer mints with it) is ESM-only.
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/library-env.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'local:unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'local:integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // Setup synthesizes small CDK apps and starts engines; on a loaded 2-core machine that outruns jest's 5 s.
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-timeout.ts'],
    },
  ],
};
