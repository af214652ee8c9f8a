/**
 * Integration hooks synthesize stacks and start engines, which outruns jest's 5 s on the shared 2-core machine.
 * Set here (setupFilesAfterEnv) because jest-circus ignores a project's `testTimeout`: it reads only the global one.
 */
jest.setTimeout(30_000);
