#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { stageConfigFromContext } from '../infra/config';
import { StatefulStack } from '../infra/stateful-stack';
import { StatelessStack } from '../infra/stateless-stack';

const app = new App();
const config = stageConfigFromContext((key) => app.node.tryGetContext(key));
const { stage } = config;
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };

const stateful = new StatefulStack(app, `SaasOrders-${stage}-Stateful`, {
  env,
  config,
  description: 'saas-orders data: table, user pool',
});
new StatelessStack(app, `SaasOrders-${stage}-Stateless`, {
  env,
  config,
  description: 'saas-orders APIs and functions',
  table: stateful.table,
  idempotencyTable: stateful.idempotencyTable,
  userPool: stateful.userPool,
  userPoolClient: stateful.userPoolClient,
  userPoolDomain: stateful.userPoolDomain,
  jobsQueue: stateful.jobsQueue,
  filesBucket: stateful.files.bucket,
});

// Synth fails on any unacknowledged finding of either pack.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
