import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const PROJECT_ROOT = path.join(__dirname, '..');

/** DynamoDB actions a function may be granted. Scan is deliberately absent: tenant data is only ever queried. */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem';

export interface BindTableOptions {
  /**
   * Global secondary indexes the function queries.
   * @default none
   */
  readonly indexes?: readonly string[];
}

export interface ServiceFunctionProps {
  /** The service folder under services/, e.g. `orders`; its `handler.ts` is the entry point. */
  readonly service: string;
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
  /** Plain environment variables (table names are set by `bindTable`, never here). */
  readonly environment?: Record<string, string>;
  /**
   * Log retention.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The one place Lambda defaults live: nodejs24.x on arm64, X-Ray tracing, structured JSON logs in an owned
 * log group with retention, a role that can only write that log group, and an esbuild bundle that is
 * tree-shaken (module-first main fields) and minified, built locally with no Docker.
 */
export class ServiceFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]*$/.test(props.service)) {
      throw new Error(
        `service '${props.service}' is not a services/ folder name: use kebab-case, e.g. 'orders'`,
      );
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
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
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
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
    // Synchronous (API Gateway) invocations return errors to the caller; there is nothing to dead-letter.
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'invoked synchronously by API Gateway; failures are returned to the caller, not retried',
    });
  }

  /**
   * Gives the function a table: sets `envVar` to the table name and grants exactly `actions` on the table
   * (and on the named indexes, for Query), so the variable and the permission cannot drift apart.
   */
  bindTable(
    table: dynamodb.ITable,
    envVar: string,
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
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources }));
    return this;
  }

  /** Sets a plain environment variable (for values that carry no permission, e.g. an issuer URL). */
  bindValue(envVar: string, value: string): this {
    this.function.addEnvironment(envVar, value);
    return this;
  }
}
