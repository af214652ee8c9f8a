#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { stageConfigFromContext } from '../infra/config';
import { StatefulStack } from '../infra/stateful-stack';
import { StatelessStack } from '../infra/stateless-stack';
import { APP_NAME, APP_PASCAL_NAME } from '../shared/app-name';

const app = new App();
const config = stageConfigFromContext((key) => app.node.tryGetContext(key));
const { stage } = config;
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

const stateful = new StatefulStack(app, `${APP_PASCAL_NAME}-${stage}-Stateful`, {
  env,
  config,
  description: `${APP_NAME} data: table, user pool`,
});
new StatelessStack(app, `${APP_PASCAL_NAME}-${stage}-Stateless`, {
  env,
  config,
  description: `${APP_NAME} APIs and functions`,
  table: stateful.table,
  idempotencyTable: stateful.idempotencyTable,
  userPool: stateful.userPool,
  userPoolClient: stateful.userPoolClient,
  userPoolDomain: stateful.userPoolDomain,
  jobsQueue: stateful.jobsQueue,
  consoleHosting: stateful.consoleHosting,
  filesBucket: stateful.files.bucket,
});

// Synth fails on any unacknowledged finding of either pack.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
