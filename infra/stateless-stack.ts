import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { CatalogApi } from './catalog-api';
import type { StageConfig } from './config';
import { EventIngestion } from './event-ingestion';
import { Jobs } from './jobs';
import type { JobsQueue } from './jobs-queue';
import { LiveUpdates } from './live-updates';
import { applyLogRetention } from './log-retention';
import { OrdersApi } from './orders-api';
import { PublicApi } from './public-api';
import { ServiceFunction } from './service-function';
import { TenantAuthorizer } from './tenant-authorizer';
import { TenantInsights } from './tenant-insights';
import { TenantOnboarding } from './tenant-onboarding';
import { TenantRestApi } from './tenant-rest-api';
import { TenantUsagePlans } from './usage-plans';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  readonly jobsQueue: JobsQueue;
}

/**
 * The APIs and the functions behind them, one construct per capability. Holds no data, so it can be destroyed
 * and redeployed freely. A new capability is a new construct in infra/ and one line here.
 */
export class StatelessStack extends Stack {
  readonly api: TenantRestApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, idempotencyTable, userPool, userPoolClient } = props;
    const { allowedOrigins } = config;

    const { executionLogLevel } = config;
    const api = new TenantRestApi(this, 'Rest', {
      stageName: config.stage,
      allowedOrigins,
      executionLogLevel,
    });
    this.api = api;
    const usagePlans = new TenantUsagePlans(this, 'UsagePlans', { api: api.api });
    const authorizer = new TenantAuthorizer(this, 'Authorizer', { api, table, userPool, userPoolClient });

    new TenantOnboarding(this, 'Tenants', { api, usagePlans, userPool, table, allowedOrigins });
    new CatalogApi(this, 'Catalog', { api, userPool, table, allowedOrigins });
    new OrdersApi(this, 'Orders', { api, authorizer, table, idempotencyTable, allowedOrigins });
    new Jobs(this, 'Jobs', {
      api,
      authorizer,
      table,
      idempotencyTable,
      queue: props.jobsQueue,
      allowedOrigins,
    });
    new EventIngestion(this, 'Events', { api, authorizer, table });
    new PublicApi(this, 'Public', {
      stageName: config.stage,
      allowedOrigins,
      allowWildcardOrigin: config.sandbox,
      table,
      userPool,
      userPoolClient,
    });
    const live = new LiveUpdates(this, 'Live', {
      table,
      userPool,
      userPoolClient,
      stageName: config.stage,
      executionLogLevel,
    });
    live.stage.node.addDependency(api.loggingAccount);
    new TenantInsights(this, 'TenantInsights', {
      stageName: config.stage,
      restAccessLogs: api.accessLogs,
      functionLogGroups: this.node
        .findAll()
        .filter((c): c is ServiceFunction => c instanceof ServiceFunction)
        .map((fn) => fn.logGroup),
    });
    applyLogRetention(this, config.logRetention);
  }
}
