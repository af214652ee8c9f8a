import { Aspects, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { consoleConfigFromOutputs } from '../console/console-config';
import { ApiCanary } from './api-canary';
import { AuditApi } from './audit-api';
import { CatalogApi } from './catalog-api';
import type { StageConfig } from './config';
import { type ConsoleHosting, ConsolePublishing } from './console-site';
import { CustomDomains } from './custom-domains';
import { EventIngestion } from './event-ingestion';
import { Jobs } from './jobs';
import type { JobsQueue } from './jobs-queue';
import { LiveUpdates } from './live-updates';
import { applyLogRetention } from './log-retention';
import { OperationsMonitoring } from './monitoring/operations-monitoring';
import { OrdersApi } from './orders-api';
import { PartnerClientsApi } from './partner-clients-api';
import { PublicApi } from './public-api';
import { applyRestStageCanary } from './rest-stage-canary';
import { ServiceFunction, useFunctionDeployment } from './service-function';
import { StageRemovalPolicy } from './stage-removal-policy';
import { TenantAuthorizer } from './tenant-authorizer';
import { TenantDataRole } from './tenant-data-role';
import { TenantInsights } from './tenant-insights';
import { TenantOffboarding } from './tenant-offboarding';
import { TenantOnboarding } from './tenant-onboarding';
import { TenantRestApi } from './tenant-rest-api';
import { UsageApi } from './usage-api';
import { TenantUsagePlans } from './usage-plans';
import { UsersApi } from './users-api';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly table: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** The Cognito domain whose `/oauth2/token` partners' machine clients get their tokens from. */
  readonly userPoolDomain: cognito.UserPoolDomain;
  readonly jobsQueue: JobsQueue;
  /** The console's hosting (stateful stack): its origin joins the APIs' CORS origins, its files are published here. */
  readonly consoleHosting?: ConsoleHosting;
  /** Tenant files: the jobs API signs uploads and downloads in it, the worker reads uploads and writes reports. */
  readonly filesBucket: s3.IBucket;
}

/**
 * The APIs and the functions behind them, one construct per capability. Holds no data, so it can be destroyed
 * and redeployed freely. A new capability is a new construct in infra/ and one line here.
 */
export class StatelessStack extends Stack {
  readonly api: TenantRestApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    Aspects.of(this).add(new StageRemovalPolicy(props.config));
    useFunctionDeployment(this, props.config.functionDeployment);
    const { config, table, idempotencyTable, userPool, userPoolClient } = props;
    const allowedOrigins = [
      ...config.allowedOrigins,
      ...(props.consoleHosting ? [props.consoleHosting.origin] : []),
    ];
    // Gateway responses (401, 403, 429, 5xx) can name one origin only: the console's, so it can read them.
    const consoleOrigin = config.consoleOrigin ?? props.consoleHosting?.origin ?? config.allowedOrigins[0];

    const { executionLogLevel } = config;
    const api = new TenantRestApi(this, 'Rest', {
      stageName: config.stage,
      allowedOrigins,
      ...(consoleOrigin === undefined ? {} : { gatewayResponseOrigin: consoleOrigin }),
      waf: config.waf,
      cacheClusterSize: config.stageCache ? '0.5' : false,
      executionLogLevel,
    });
    this.api = api;
    applyRestStageCanary(api.api, config.restStageCanary);
    const usagePlans = new TenantUsagePlans(this, 'UsagePlans', { api: api.api });
    const authorizer = new TenantAuthorizer(this, 'Authorizer', { api, table, userPool, userPoolClient });

    // The role request-path functions assume for one tenant at a time (see shared/tenant-credentials.ts).
    const tenantData = new TenantDataRole(this, 'TenantData', { table, files: props.filesBucket });
    const live = new LiveUpdates(this, 'Live', {
      table,
      tenantData,
      userPool,
      userPoolClient,
      stageName: config.stage,
      executionLogLevel,
    });
    live.stage.node.addDependency(api.loggingAccount);
    const offboarding = new TenantOffboarding(this, 'Offboarding', {
      table,
      userPool,
      usagePlans,
      files: props.filesBucket,
    });
    new TenantOnboarding(this, 'Tenants', {
      api,
      usagePlans,
      userPool,
      table,
      allowedOrigins,
      liveUpdatesStage: live.stage,
      offboardingQueue: offboarding.queue.queue,
      files: props.filesBucket,
    });
    new CatalogApi(this, 'Catalog', { api, userPool, table, tenantData, allowedOrigins });
    new OrdersApi(this, 'Orders', { api, authorizer, table, tenantData, idempotencyTable, allowedOrigins });
    const jobs = new Jobs(this, 'Jobs', {
      api,
      authorizer,
      table,
      tenantData,
      idempotencyTable,
      queue: props.jobsQueue,
      files: props.filesBucket,
      allowedOrigins,
      retryMaxDelaySeconds: config.jobRetryMaxDelaySeconds,
    });
    const events = new EventIngestion(this, 'Events', { api, authorizer, table });
    new PartnerClientsApi(this, 'PartnerClients', {
      api,
      authorizer,
      userPool,
      tokenUrl: `${props.userPoolDomain.baseUrl()}/oauth2/token`,
      table,
      tenantData,
      allowedOrigins,
    });
    new AuditApi(this, 'Audit', { api, authorizer, table, tenantData, allowedOrigins });
    new UsersApi(this, 'Users', { api, authorizer, userPool, table, tenantData, allowedOrigins });
    new UsageApi(this, 'Usage', { api, authorizer, table, tenantData, allowedOrigins });
    const publicApi = new PublicApi(this, 'Public', {
      stageName: config.stage,
      allowedOrigins,
      allowWildcardOrigin: config.sandbox,
      table,
      userPool,
      userPoolClient,
    });
    const domains = config.domain
      ? new CustomDomains(this, 'Domains', { domain: config.domain, rest: api, publicApi, liveUpdates: live })
      : undefined;
    if (config.syntheticsCanary) {
      // Through the custom domains when there are some: the way clients come in (and the only one when the
      // execute-api endpoints are disabled).
      new ApiCanary(this, 'ApiCanary', {
        restApiUrl: domains?.restUrl ?? api.api.url,
        publicApiUrl: domains?.publicUrl ?? publicApi.url,
        userPool,
        logRetention: config.logRetention,
        destroyOnRemoval: !config.retainData,
      });
    }

    // The URLs a client calls, under stable keys (the custom domains' when configured, as clients come in there).
    const outputs: Record<string, [string, string]> = {
      Region: [this.region, 'The region of the APIs'],
      RestApiUrl: [domains?.restUrl ?? api.api.url, 'The tenant REST API'],
      PublicApiUrl: [domains?.publicUrl ?? publicApi.url, 'The public HTTP API'],
      WebSocketUrl: [domains?.webSocketUrl ?? live.url, 'Live updates (connect with ?token=<ID token>)'],
    };
    for (const [key, [value, description]] of Object.entries(outputs))
      new CfnOutput(this, key, { value, description });
    if (props.consoleHosting) {
      // config.json holds the same values as the two stacks' outputs, under the same keys (console/console-config.ts).
      const statefulOutputs = {
        UserPoolId: userPool.userPoolId,
        SpaClientId: userPoolClient.userPoolClientId,
        CognitoDomainUrl: props.userPoolDomain.baseUrl(),
      };
      const statelessOutputs = Object.fromEntries(
        Object.entries(outputs).map(([key, [value]]) => [key, value]),
      );
      new ConsolePublishing(this, 'Console', {
        hosting: props.consoleHosting,
        config: consoleConfigFromOutputs({ stateful: statefulOutputs, stateless: statelessOutputs }),
      });
    }

    new TenantInsights(this, 'TenantInsights', {
      stageName: config.stage,
      restAccessLogs: api.accessLogs,
      functionLogGroups: this.node
        .findAll()
        .filter((c): c is ServiceFunction => c instanceof ServiceFunction)
        .map((fn) => fn.logGroup),
    });
    applyLogRetention(this, config);

    // Last: it finds every function and stream consumer in the tree (synth fails if one is added after it).
    new OperationsMonitoring(this, 'Monitoring', {
      stage: config.stage,
      restApi: api,
      publicApi,
      liveUpdates: live,
      jobsQueue: props.jobsQueue,
      jobWorker: jobs.worker.function,
      failureQueues: { BroadcastFailures: live.failureQueue, ProjectorFailures: events.projectorFailures },
      tables: { Table: table, IdempotencyTable: idempotencyTable },
      alarmEmail: config.alarmEmail,
    });
  }
}
