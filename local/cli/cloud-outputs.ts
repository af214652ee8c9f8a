import type { LocalCloud } from '../local-cloud';
import { LOCAL_CREDENTIALS } from '../local-credentials';
import type { LocalResource } from '../model';

/** A resource as scripts find it: where it is declared and its local name. */
export interface DeclaredResource {
  readonly stackName: string;
  readonly logicalId: string;
}

/**
 * What `--outputs-file` writes and `/_local/outputs` answers: everything a script needs to call the running cloud,
 * each value local (URLs on 127.0.0.1, local ids), with the stacks' own `Outputs` resolved the same way.
 */
export interface CloudOutputs {
  readonly region: string;
  readonly accountId: string;
  /** Every REST, HTTP and WebSocket API, with the URL of its stage. */
  readonly apis: ReadonlyArray<
    DeclaredResource & {
      readonly kind: string;
      readonly apiId: string;
      readonly stage: string;
      readonly url: string;
    }
  >;
  /** Each Cognito user pool: its id, its issuer and JWKS URLs, its app clients. */
  readonly userPools: ReadonlyArray<
    DeclaredResource & {
      readonly userPoolId: string;
      readonly issuer: string;
      readonly jwksUrl: string;
      readonly clients: ReadonlyArray<DeclaredResource & { readonly clientId: string }>;
    }
  >;
  readonly tables: ReadonlyArray<DeclaredResource & { readonly tableName: string }>;
  readonly queues: ReadonlyArray<
    DeclaredResource & { readonly queueName: string; readonly queueUrl: string }
  >;
  /** Each S3 bucket: its name, and the URL of the bucket on the local S3 endpoint (path style). */
  readonly buckets: ReadonlyArray<DeclaredResource & { readonly bucketName: string; readonly url: string }>;
  /** The stacks' `Outputs`, by stack then output name, resolved to local values. */
  readonly stackOutputs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Every service endpoint (DynamoDB, SQS, the issuer, the control plane, …) by kind. */
  readonly endpoints: ReadonlyArray<{ readonly kind: string; readonly name: string; readonly url: string }>;
  /** What `--print-env` prints: `AWS_ENDPOINT_URL_*`, fake credentials and the region. */
  readonly env: Readonly<Record<string, string>>;
}

const declared = (resource: LocalResource): DeclaredResource => ({
  stackName: resource.stackName,
  logicalId: resource.logicalId,
});

/** The environment an SDK client or the AWS CLI outside the cloud needs to reach it. */
function clientEnvironment(cloud: Pick<LocalCloud, 'functionEnv' | 'model'>): Record<string, string> {
  return {
    ...Object.fromEntries(
      Object.entries(cloud.functionEnv).filter(([name]) => name.startsWith('AWS_ENDPOINT_URL_')),
    ),
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: cloud.model.region,
    AWS_DEFAULT_REGION: cloud.model.region,
  };
}

/** `export NAME='value'` lines, quoted for a POSIX shell, for `eval "$(cdk-local-cloud --print-env)"`. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", "'\\''")}'\n`)
    .join('');
}

/** Reads the running cloud's outputs from its model and endpoints. */
export function cloudOutputs(cloud: LocalCloud): CloudOutputs {
  const { resources } = cloud.model;
  const ofType = (type: string) => resources.filter((resource) => resource.type === type);
  const clients = ofType('AWS::Cognito::UserPoolClient');
  return {
    region: cloud.model.region,
    accountId: cloud.model.accountId,
    apis: cloud.endpoints.flatMap(({ kind, url, api }) => (api ? [{ kind, url, ...api }] : [])),
    userPools: ofType('AWS::Cognito::UserPool').map((pool) => {
      const issuer = pool.attributes.ProviderURL ?? '';
      return {
        ...declared(pool),
        userPoolId: pool.physicalId,
        issuer,
        jwksUrl: `${issuer}/.well-known/jwks.json`,
        clients: clients
          .filter((client) => client.properties.UserPoolId === pool.physicalId)
          .map((client) => ({ ...declared(client), clientId: client.physicalId })),
      };
    }),
    tables: [...ofType('AWS::DynamoDB::Table'), ...ofType('AWS::DynamoDB::GlobalTable')].map((table) => ({
      ...declared(table),
      tableName: table.physicalId,
    })),
    queues: ofType('AWS::SQS::Queue').map((queue) => ({
      ...declared(queue),
      queueName: queue.attributes.QueueName ?? queue.physicalId,
      queueUrl: queue.physicalId,
    })),
    buckets: ofType('AWS::S3::Bucket').map((bucket) => ({
      ...declared(bucket),
      bucketName: bucket.physicalId,
      url: `${cloud.functionEnv.AWS_ENDPOINT_URL_S3 ?? ''}/${bucket.physicalId}`,
    })),
    stackOutputs: cloud.model.outputs ?? {},
    endpoints: cloud.endpoints
      .filter((endpoint) => endpoint.api === undefined)
      .map(({ kind, name, url }) => ({ kind, name, url })),
    env: clientEnvironment(cloud),
  };
}
