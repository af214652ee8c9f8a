#!/usr/bin/env node
/** `cdk-local-cloud`: serves the CDK app in the current directory (or `--cdk-out DIR`) on this machine. */
import { exitOnCliFailure, runLocalCloudCli } from './cli/run-cli';

runLocalCloudCli(process.argv.slice(2)).catch(exitOnCliFailure);
