/**
 * End-to-end tests wait for the local cloud (and, for jobs, SQS redelivery). Set here (setupFilesAfterEnv) because
 * jest-circus ignores a project's `testTimeout`: it reads only the global one.
 */
jest.setTimeout(60_000);
