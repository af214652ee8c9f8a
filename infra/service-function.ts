import * as path from 'node:path';
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type * as z from 'zod';
import { APP_NAME } from '../shared/app-name';
import { METRICS_NAMESPACE } from '../shared/metrics';
import type { FunctionDeployment } from './config';
import type { TenantDataRole } from './tenant-data-role';

const PROJECT_ROOT = path.join(__dirname, '..');

/** How cdk-nag writes a resolved reference in a finding id: `<Id.Attr>`, `<Id>`, or an import's export name. */
export function cdkNagReference(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const ref = resolved as { 'Fn::GetAtt'?: [string, string]; Ref?: string; 'Fn::ImportValue'?: string };
  if (ref['Fn::GetAtt']) return `<${ref['Fn::GetAtt'].join('.')}>`;
  if (ref.Ref) return `<${ref.Ref}>`;
  if (typeof ref['Fn::ImportValue'] === 'string') return ref['Fn::ImportValue'];
  return JSON.stringify(resolved);
}

/** DynamoDB actions a function may be granted. Scan is deliberately absent: tenant data is only ever queried. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  /** Only for offboarding, which must find every item of a tenant in the pooled table. */
  | 'dynamodb:Scan';

/** SQS actions a function may be granted on a queue it is bound to (an event source grants its own). */
export type QueueAction = 'sqs:SendMessage' | 'sqs:ChangeMessageVisibility';

/** S3 object actions a function may be granted, on the key patterns it names (never the whole bucket). */
export type ObjectAction = 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject';

/** Cognito user-pool actions a function may be granted, on its one pool. */
export type UserPoolAction =
  | 'cognito-idp:AdminCreateUser'
  | 'cognito-idp:AdminGetUser'
  | 'cognito-idp:AdminAddUserToGroup'
  | 'cognito-idp:AdminRemoveUserFromGroup'
  | 'cognito-idp:AdminDisableUser'
  | 'cognito-idp:AdminEnableUser'
  | 'cognito-idp:AdminDeleteUser'
  | 'cognito-idp:ListUsers'
  | 'cognito-idp:CreateUserPoolClient'
  | 'cognito-idp:DeleteUserPoolClient';

/** The construct-tree context key under which a stack says how its functions' `live` aliases shift traffic. */
const FUNCTION_DEPLOYMENT_CONTEXT = `${APP_NAME}:function-deployment`;

const DEPLOYMENT_CONFIGS: Record<FunctionDeployment, codedeploy.ILambdaDeploymentConfig> = {
  ALL_AT_ONCE: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
  CANARY_10PERCENT_5MINUTES: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
};

/**
 * Says how every ServiceFunction under `scope` (a stack) shifts traffic to a new version on deploy. Call it in the
 * stack's constructor before adding any construct: the setting is construct-tree context, so each capability
 * construct keeps its props free of a deployment detail it would only pass through.
 */
export function useFunctionDeployment(scope: Construct, deployment: FunctionDeployment): void {
  scope.node.setContext(FUNCTION_DEPLOYMENT_CONTEXT, deployment);
}

/**
 * When the per-function alarms fire: one-minute periods, 2 of the last 3 breaching, so a canary of 5 minutes
 * can be rolled back during its bake time while a lone bad minute does not page anyone.
 */
const ALARM_PERIOD = Duration.minutes(1);
const ALARM_EVALUATION_PERIODS = 3;
const ALARM_DATAPOINTS = 2;
/**
 * Percent of invocations (on the alias) that may fail. Below 10 %, so that even a canary taking 10 % of the
 * traffic and failing one request in five is caught. Handlers answer client errors themselves: an Errors
 * datapoint is an unhandled exception or a timeout.
 */
export const ERROR_RATE_THRESHOLD_PERCENT = 2;
/** Share of the function's timeout that its p99 duration may reach before it is about to time out. */
export const DURATION_THRESHOLD_SHARE_OF_TIMEOUT = 0.8;

/**
 * The CodeDeploy application and service role shared by every function deployment group of a stack: one of each
 * is enough, and one role means one acknowledged AWS managed policy instead of one per function.
 */
class FunctionDeployments extends Construct {
  static of(scope: Construct): FunctionDeployments {
    const stack = Stack.of(scope);
    const id = 'FunctionDeployments';
    const existing = stack.node.tryFindChild(id);
    return existing instanceof FunctionDeployments ? existing : new FunctionDeployments(stack, id);
  }

  readonly application: codedeploy.LambdaApplication;
  readonly role: iam.Role;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.application = new codedeploy.LambdaApplication(this, 'Application');
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: "CodeDeploy: shifts each function's live alias and reads its alarms",
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSCodeDeployRoleForLambdaLimited'),
      ],
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        'the AWS-maintained CodeDeploy policy for Lambda, limited to alias updates, alarm reads and CodeDeployHook_ functions',
    });
  }
}

/**
 * Variables every function has, set here rather than by a service's contract: they configure the Node.js
 * runtime and Powertools, not the service.
 */
const PLATFORM_VARIABLES: readonly string[] = [
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_NAMESPACE',
  'NODE_OPTIONS',
];

export interface BindTableOptions {
  /**
   * Global secondary indexes the function queries.
   * @default none
   */
  readonly indexes?: readonly string[];
  /**
   * Partition-key values the function may touch, as IAM `StringLike` patterns (`TENANTSLUG#*`): the
   * `dynamodb:LeadingKeys` condition, so the grant covers only those partitions of the single table.
   * @default any partition
   */
  readonly leadingKeys?: readonly string[];
  /**
   * The only attributes the function may read or write (`dynamodb:Attributes`); reads must then project
   * (`dynamodb:Select` SPECIFIC_ATTRIBUTES when a Select is sent), so an item's other attributes never reach it.
   * @default every attribute
   */
  readonly attributes?: readonly string[];
}

export interface ServiceFunctionProps<E extends z.ZodRawShape> {
  /** The service folder under services/, e.g. `orders`; its `handler.ts` is the entry point. */
  readonly service: string;
  /**
   * The service's environment contract (`services/<service>/environment.ts`), the same object its config.ts
   * reads. The bind methods only accept its variable names, and synth fails unless every one of them is bound
   * and nothing else is set.
   */
  readonly environment: E;
  readonly description: string;
  /**
   * Memory in MB (CPU scales with it).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(10) — API Gateway integrations time out at 29 s; handlers should answer well before.
   */
  readonly timeout?: Duration;
  /**
   * Who invokes the function, which decides where its failures go: API Gateway gets them back synchronously;
   * an SQS event source leaves failed messages to the queue's redrive policy (its dead-letter queue).
   * @default 'api'
   */
  readonly invokedBy?: 'api' | 'sqs';
}

/**
 * The one place Lambda defaults live: nodejs24.x on arm64, X-Ray tracing, structured JSON logs in an owned
 * log group with retention, a role that can only write that log group, and an esbuild bundle that is
 * tree-shaken (module-first main fields) and minified, built locally with no Docker.
 *
 * Every deploy publishes a version behind the `live` alias, which is what the APIs, authorizers and event sources
 * must invoke: CodeDeploy shifts the alias to the new version (all at once, or as the stage's canary, set with
 * `useFunctionDeployment`) and shifts it back when the function's error-rate or duration alarm fires.
 */
export class ServiceFunction<E extends z.ZodRawShape = z.ZodRawShape> extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  /** The alias every invoker uses (never the unqualified function), so deployments can shift and roll it back. */
  readonly live: lambda.Alias;
  /**
   * This function's alarms, on the `live` alias: errors rate, throttles, and p99 duration against the timeout.
   * The first and the last roll a deployment back. They have no actions: the stack's monitoring adds them.
   */
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  /** Only the bind methods grant: a permission always arrives with the variable that needs it. */
  private readonly role: iam.Role;
  private readonly service: string;
  private apiKeysGranted = false;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps<E>) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]*$/.test(props.service)) {
      throw new Error(
        `service '${props.service}' is not a services/ folder name: use kebab-case, e.g. 'orders'`,
      );
    }
    this.service = props.service;
    this.logGroup = new logs.LogGroup(this, 'Logs', {});
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.service} function: its own log group, and what bind*() grants`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'services', props.service, 'handler.ts'),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: this.logGroup,
      role: this.role,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        mainFields: ['module', 'main'],
        // The SDK is bundled (not taken from the runtime) so the version that was tested is the one that runs.
        externalModules: [],
        forceDockerBundling: false,
      },
    });
    // Active tracing needs xray:PutTraceSegments/PutTelemetryRecords, which only exist with Resource "*".
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions',
    });
    // Log streams are created by Lambda under the owned log group: "<group arn>:*" is that group only.
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.logGroup.node.defaultChild as logs.CfnLogGroup)}.Arn>:*]`,
      reason: "log streams of this function's own log group only",
    });
    // Neither invocation kind uses a function-level DLQ (that is for asynchronous invocations).
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        props.invokedBy === 'sqs'
          ? "invoked by an SQS event source; failed messages go to the source queue's dead-letter queue"
          : 'invoked synchronously by API Gateway; failures are returned to the caller, not retried',
    });

    this.live = new lambda.Alias(this, 'Live', { aliasName: 'live', version: this.function.currentVersion });
    const timeout = props.timeout ?? Duration.seconds(10);
    const errorRate = this.errorRateAlarm();
    const throttles = this.throttlesAlarm();
    const duration = this.durationAlarm(timeout);
    this.alarms = [errorRate, throttles, duration];
    const deployment =
      (this.node.tryGetContext(FUNCTION_DEPLOYMENT_CONTEXT) as FunctionDeployment | undefined) ??
      'ALL_AT_ONCE';
    const deploymentConfig = DEPLOYMENT_CONFIGS[deployment];
    if (deploymentConfig === undefined) {
      throw new Error(
        `function deployment '${String(deployment)}' is unknown: use ${Object.keys(DEPLOYMENT_CONFIGS).join(' or ')}`,
      );
    }
    const shared = FunctionDeployments.of(this);
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'Deployment', {
      application: shared.application,
      role: shared.role,
      alias: this.live,
      deploymentConfig,
      // Throttles are left out: they say the account or the reserved concurrency is short, not that the version is bad.
      alarms: [errorRate, duration],
      autoRollback: { failedDeployment: true, stoppedDeployment: false, deploymentInAlarm: true },
    });

    const contract = Object.keys(props.environment);
    this.node.addValidation({ validate: () => this.checkEnvironment(contract) });
  }

  /**
   * Gives the function a table: sets `envVar` to the table name and grants exactly `actions` on the table
   * (and on the named indexes, for Query), so the variable and the permission cannot drift apart.
   */
  bindTable(
    table: dynamodb.ITable,
    envVar: keyof E & string,
    actions: readonly TableAction[],
    options: BindTableOptions = {},
  ): this {
    if (actions.length === 0)
      throw new Error(`bindTable(${envVar}): list the actions the function needs, e.g. ['dynamodb:GetItem']`);
    const indexes = options.indexes ?? [];
    if (indexes.length > 0 && !actions.includes('dynamodb:Query')) {
      throw new Error(
        `bindTable(${envVar}): indexes [${indexes.join(', ')}] are only read by Query: add 'dynamodb:Query' or drop them`,
      );
    }
    this.function.addEnvironment(envVar, table.tableName);
    const resources = [table.tableArn, ...indexes.map((index) => `${table.tableArn}/index/${index}`)];
    const like: Record<string, string[]> = {};
    if (options.leadingKeys) like['dynamodb:LeadingKeys'] = [...options.leadingKeys];
    if (options.attributes) like['dynamodb:Attributes'] = [...options.attributes];
    const conditions: Record<string, Record<string, string | string[]>> = {};
    if (Object.keys(like).length > 0) conditions['ForAllValues:StringLike'] = like;
    if (options.attributes) conditions.StringEqualsIfExists = { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' };
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources,
        ...(Object.keys(conditions).length > 0 ? { conditions } : {}),
      }),
    );
    return this;
  }

  /**
   * Gives the function a bucket: sets `envVar` to the bucket name and grants exactly `actions` on the objects whose
   * keys match `keyPatterns` (IAM wildcards, e.g. `tenants/*\/uploads/*`), never on the bucket or its other keys.
   * A pre-signed URL the function signs carries no more than this grant.
   */
  bindBucket(
    bucket: s3.IBucket,
    envVar: keyof E & string,
    actions: readonly ObjectAction[],
    keyPatterns: readonly string[],
  ): this {
    if (actions.length === 0 || keyPatterns.length === 0) {
      throw new Error(
        `bindBucket(${envVar}): list the actions and the key patterns, e.g. ['s3:GetObject'], ['tenants/*/reports/*']`,
      );
    }
    this.function.addEnvironment(envVar, bucket.bucketName);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: keyPatterns.map((pattern) => bucket.arnForObjects(pattern)),
      }),
    );
    // cdk-nag names the finding after the resolved ARN, which for a bucket of another stack is an export known only
    // once references are resolved: acknowledge it then (construct validations run after that, before the packs).
    this.node.addValidation({
      validate: () => {
        const arn = cdkNagReference(Stack.of(this).resolve(bucket.bucketArn));
        for (const pattern of keyPatterns) {
          Validations.of(this.role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${arn}/${pattern}]`,
            reason: `objects under ${pattern} only: one prefix per tenant, known only at run time, the key built by the service from the verified tenant`,
          });
        }
        return [];
      },
    });
    return this;
  }

  /**
   * Gives the function a user pool: sets `envVar` to the pool id and grants exactly `actions` on that pool.
   */
  bindUserPool(pool: cognito.IUserPool, envVar: keyof E & string, actions: readonly UserPoolAction[]): this {
    if (actions.length === 0) {
      throw new Error(
        `bindUserPool(${envVar}): list the actions the function needs, e.g. ['cognito-idp:AdminGetUser']`,
      );
    }
    this.function.addEnvironment(envVar, pool.userPoolId);
    pool.grant(this.role, ...actions);
    return this;
  }

  /**
   * Lets the function issue API keys on a usage plan it finds by name: sets `envVar` to `planName` and grants
   * apigateway:GET/POST on API keys and on usage-plan keys (once, however many plans are bound). The grant
   * cannot name the plan: a plan depends on the stage, the stage on every method, and the method that calls
   * this function on the function itself, so the plan's id would be a dependency cycle.
   */
  bindUsagePlan(envVar: keyof E & string, planName: string): this {
    this.function.addEnvironment(envVar, planName);
    if (this.apiKeysGranted) return this;
    this.apiKeysGranted = true;
    const stack = Stack.of(this);
    const apigwArn = (path: string) =>
      stack.formatArn({ service: 'apigateway', account: '', resource: path });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['apigateway:GET', 'apigateway:POST'],
        resources: [
          apigwArn('/apikeys'),
          apigwArn('/apikeys/*'),
          apigwArn('/usageplans'),
          apigwArn('/usageplans/*/keys'),
        ],
      }),
    );
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    for (const [path, reason] of [
      ['/apikeys/*', 'API keys are created at run time, so their ids are only known then'],
      ['/usageplans/*/keys', 'plan ids cannot be referenced without a dependency cycle (see bindUsagePlan)'],
    ] as const) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${region}::${path}]`,
        reason,
      });
    }
    return this;
  }

  /**
   * Gives the function a queue: sets `envVar` to the queue URL and grants exactly `actions` on that queue.
   */
  bindQueue(queue: sqs.IQueue, envVar: keyof E & string, actions: readonly QueueAction[]): this {
    if (actions.length === 0) {
      throw new Error(`bindQueue(${envVar}): list the actions the function needs, e.g. ['sqs:SendMessage']`);
    }
    this.function.addEnvironment(envVar, queue.queueUrl);
    queue.grant(this.role, ...actions);
    return this;
  }

  /**
   * Sets `envVar` to the origins allowed by CORS, comma-separated (the format shared/config.ts `csv` reads).
   */
  bindAllowedOrigins(origins: readonly string[], envVar: keyof E & string): this {
    const bad = origins.find((origin) => origin.includes(',') || origin.trim() !== origin);
    if (bad !== undefined || origins.length === 0) {
      throw new Error(
        `bindAllowedOrigins(${envVar}): '${bad ?? ''}' cannot be sent as a comma-separated list: list origins like 'https://app.example.com', at least one`,
      );
    }
    this.function.addEnvironment(envVar, origins.join(','));
    return this;
  }

  /**
   * Lets the function post to (or, with `method` DELETE, close) the connections of one WebSocket stage: sets
   * `envVar` to the stage's `@connections` callback URL and grants `execute-api:ManageConnections` on
   * `<method> @connections/*` of that API and stage only (not the whole API, not the other methods).
   */
  bindConnectionsApi(
    stage: apigwv2.WebSocketStage,
    envVar: keyof E & string,
    method: 'POST' | 'DELETE' = 'POST',
  ): this {
    this.function.addEnvironment(envVar, stage.callbackUrl);
    const stack = Stack.of(this);
    const apiArn = stack.formatArn({ service: 'execute-api', resource: stage.api.apiId });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        resources: [`${apiArn}/${stage.stageName}/${method}/@connections/*`],
      }),
    );
    const apiId = stack.getLogicalId(stage.api.node.defaultChild as apigwv2.CfnApi);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${region}:${account}:<${apiId}>/${stage.stageName}/${method}/@connections/*]`,
      reason: `connection ids are assigned by API Gateway at run time; the grant is this API, this stage, ${method} only`,
    });
    return this;
  }

  /**
   * Lets the function act for one tenant at a time: sets `envVar` to the tenant data role's ARN and lets the
   * function's role assume it with a session tag (shared/tenant-credentials.ts). What the function does with tenant
   * data is then granted by that role, confined to the session's tenant, not by bindTable.
   */
  bindTenantData(tenantData: TenantDataRole, envVar: keyof E & string): this {
    this.function.addEnvironment(envVar, tenantData.roleArn);
    tenantData.trust(this.role);
    return this;
  }

  /** Sets a plain environment variable (for values that carry no permission, e.g. an issuer URL). */
  bindValue(envVar: keyof E & string, value: string): this {
    this.function.addEnvironment(envVar, value);
    return this;
  }

  private errorRateAlarm(): cloudwatch.Alarm {
    const errorRate = new cloudwatch.MathExpression({
      expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
      usingMetrics: {
        errors: this.live.metricErrors({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
        invocations: this.live.metricInvocations({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
      },
      period: ALARM_PERIOD,
      label: `${this.service} errors (% of invocations)`,
    });
    return errorRate.createAlarm(this, 'ErrorRateAlarm', {
      alarmDescription: `${this.service} function (live alias): more than ${ERROR_RATE_THRESHOLD_PERCENT} % of invocations failed in ${ALARM_DATAPOINTS} of ${ALARM_EVALUATION_PERIODS} minutes; rolls back a deployment`,
      threshold: ERROR_RATE_THRESHOLD_PERCENT,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: ALARM_EVALUATION_PERIODS,
      datapointsToAlarm: ALARM_DATAPOINTS,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private throttlesAlarm(): cloudwatch.Alarm {
    return this.live
      .metricThrottles({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM })
      .createAlarm(this, 'ThrottlesAlarm', {
        alarmDescription: `${this.service} function (live alias): invocations throttled in ${ALARM_DATAPOINTS} of ${ALARM_EVALUATION_PERIODS} minutes`,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: ALARM_EVALUATION_PERIODS,
        datapointsToAlarm: ALARM_DATAPOINTS,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }

  private durationAlarm(timeout: Duration): cloudwatch.Alarm {
    const threshold = Math.round(timeout.toMilliseconds() * DURATION_THRESHOLD_SHARE_OF_TIMEOUT);
    return this.live
      .metricDuration({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.p(99) })
      .createAlarm(this, 'DurationAlarm', {
        alarmDescription: `${this.service} function (live alias): p99 duration above ${threshold} ms (${DURATION_THRESHOLD_SHARE_OF_TIMEOUT * 100} % of its ${timeout.toSeconds()} s timeout) in ${ALARM_DATAPOINTS} of ${ALARM_EVALUATION_PERIODS} minutes; rolls back a deployment`,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: ALARM_EVALUATION_PERIODS,
        datapointsToAlarm: ALARM_DATAPOINTS,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }

  /** What the function is given must be exactly its contract: a renamed or forgotten variable fails synth. */
  private checkEnvironment(contract: readonly string[]): string[] {
    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    const resolved = Stack.of(this).resolve(cfn.environment) as
      | { Variables?: Record<string, unknown>; variables?: Record<string, unknown> }
      | undefined;
    const set = Object.keys(resolved?.Variables ?? resolved?.variables ?? {});
    const source = `services/${this.service}/environment.ts`;
    const missing = contract
      .filter((name) => !set.includes(name))
      .map(
        (name) =>
          `${this.service} function: ${name} of ${source} is not set: bind it (bindTable, bindValue, …)`,
      );
    const extra = set
      .filter((name) => !contract.includes(name) && !PLATFORM_VARIABLES.includes(name))
      .map(
        (name) =>
          `${this.service} function: ${name} is set but ${source} does not declare it: add it there or stop setting it`,
      );
    return [...missing, ...extra];
  }
}
