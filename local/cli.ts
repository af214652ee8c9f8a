#!/usr/bin/env node
/** `cdk-local-cloud`: serves the CDK app in the current directory (or `--cdk-out DIR`) on this machine. */
import { runLocalCloudCli } from './cli/run-cli';

runLocalCloudCli(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
