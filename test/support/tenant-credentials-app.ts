import { join } from 'node:path';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { LocalCloud, LocalCloudOptions } from 'cdk-local-cloud';
import { TenantDataRole } from '../../infra/tenant-data-role';
import { startCloudOnApp } from '../../local/test/support/cloud-on-app';
import { TABLE } from '../../shared/table';

const ROOT = join(__dirname, '..', '..');

/** The small app's stack name, and its outputs. */
export const STACK = 'TenantCredentialsApp';

/**
 * Synthesizes a small CDK app of our own: the product's table layout and files bucket, the product's
 * TenantDataRole construct, and one function (`handler`, a file under test/) bound to the role as the product's
 * functions are (its own role may only GetItem the `BASELINE#` partitions), behind a REST API at `GET /call`.
 * Bundled with esbuild, no Docker.
 */
function synth(cdkOut: string, handlerEntry: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, STACK);
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
  });
  table.addGlobalSecondaryIndex({
    indexName: TABLE.gsi1.name,
    partitionKey: { name: TABLE.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: TABLE.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
  });
  const files = new s3.Bucket(stack, 'Files', { enforceSSL: true });
  const tenantData = new TenantDataRole(stack, 'TenantData', { table, files });
  const fn = new nodejs.NodejsFunction(stack, 'Handler', {
    entry: handlerEntry,
    projectRoot: ROOT,
    depsLockFilePath: join(ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    environment: {
      TABLE_NAME: table.tableName,
      FILES_BUCKET_NAME: files.bucketName,
      TENANT_DATA_ROLE_ARN: tenantData.roleArn,
    },
    bundling: {
      externalModules: [],
      format: nodejs.OutputFormat.CJS,
      target: 'node24',
      forceDockerBundling: false,
    },
  });
  if (!fn.role) throw new Error('the function has no role');
  tenantData.trust(fn.role);
  // The function's own role may read the BASELINE# partitions: what a bench compares a tenant session's read with.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BASELINE#*'] } },
    }),
  );
  new apigw.RestApi(stack, 'Api').root.addResource('call').addMethod('GET', new apigw.LambdaIntegration(fn));
  new CfnOutput(stack, 'TableName', { value: table.tableName });
  new CfnOutput(stack, 'BucketName', { value: files.bucketName });
  app.synth();
}

/** The local cloud serving the small app. */
export interface TenantCredentialsApp {
  readonly cloud: LocalCloud;
  /** `GET <url>?…` invokes the function. */
  readonly url: string;
  readonly tableName: string;
  close(): Promise<void>;
}

/** Synthesizes the app around `handlerEntry` in a temporary folder and starts the local cloud on it. */
export async function startTenantCredentialsApp(
  handlerEntry: string,
  options: Partial<LocalCloudOptions> = {},
): Promise<TenantCredentialsApp> {
  const served = await startCloudOnApp(
    'tenant-credentials',
    (cdkOut) => synth(cdkOut, handlerEntry),
    options,
  );
  return {
    cloud: served.cloud,
    url: `${served.cloud.restApis[0]?.url}/call`,
    tableName: String(served.cloud.model.outputs?.[STACK]?.TableName ?? ''),
    close: () => served.close(),
  };
}
