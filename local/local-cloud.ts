import { dirname, resolve } from 'node:path';
import { ApiKeyStore } from './api-keys/api-key-store';
import { apiGatewayControlService } from './apigateway-control/control-plane-service';
import { type ComposedServices, composeServices } from './compose-services';
import { deployOnlyService } from './deploy-only/deploy-only-service';
import { dynamoDbService } from './dynamodb/dynamodb-service';
import { eventBridgeService } from './eventbridge/eventbridge-service';
import { UsageMeter } from './gateway/usage-meter';
import { httpApiService } from './http-api/http-api-service';
import { IamAuthority, type IamMode } from './iam/call-authority';
import { iamService } from './iam/iam-service';
import type { LocalIdentity } from './identity/identity-server';
import { identityService } from './identity/identity-service';
import { kinesisService } from './kinesis/kinesis-service';
import type { FunctionLogs } from './lambda/function-log-filter';
import { lambdaService } from './lambda/lambda-service';
import { LOCAL_CREDENTIALS } from './local-credentials';
import type { LocalService } from './local-service';
import type { LogSink } from './log-sink';
import { portOutsideEphemeralRange } from './loopback-server';
import type { RequestRecorder } from './request-records';
import { AuthorizerCaches } from './rest-api/authorizer-caches';
import { restApiService } from './rest-api/rest-api-service';
import { StageCaches } from './rest-api/stage-cache';
import { s3Service } from './s3/s3-service';
import { secretsService } from './secrets/secrets-service';
import { snsService } from './sns/sns-service';
import { sqsService } from './sqs/sqs-service';
import { stepFunctionsService } from './stepfunctions/stepfunctions-service';
import { webSocketService } from './websocket/websocket-service';

export { LOCAL_CREDENTIALS } from './local-credentials';

/** How to start the local cloud. */
export interface LocalCloudOptions {
  /** The synthesized cloud assembly (cdk.out). */
  readonly cdkOut: string;
  /**
   * The CDK app's directory: the AWS SDK its `node_modules` (at or above it) hold is what functions get first,
   * before the local cloud's own. @default the directory that holds `cdkOut`
   */
  readonly appDir?: string;
  /** First API port (each API takes the next; the template's URLs name them). 0 picks a free base. @default 3000 */
  readonly port?: number;
  /** Directory that keeps DynamoDB data and identity users/keys across restarts. @default in memory */
  readonly persistDir?: string;
  /** @default process.stdout */
  readonly log?: LogSink;
  /**
   * Which of a function's output reaches `log`: `all` (START/END/REPORT included), or `warnings` (WARN and above,
   * plus the whole output of an invocation that fails).
   * @default 'all'
   */
  readonly functionLogs?: FunctionLogs;
  /** Receives one record per request a gateway served. @default a plain access-log line on `log` */
  readonly onRequest?: RequestRecorder;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Enforce API Gateway throttling and quotas (benchmarks turn it off). @default true */
  readonly throttling?: boolean;
  /** Sees every event a function is handed (tests compare them with AWS's captures). */
  readonly onEvent?: (functionArn: string, event: unknown) => void;
  /** More services after the built-in ones (a plug-in, a test double). */
  readonly extraServices?: readonly LocalService[];
  /** Told how long each phase of the start took (`--timings`). */
  readonly timing?: (label: string, ms: number) => void;
  /**
   * IAM: `enforce` refuses every call the template's policies do not allow, as AWS would; `warn` logs them and
   * lets them through; `off` checks nothing.
   * @default 'enforce'
   */
  readonly iam?: IamMode;
}

/** A REST API as served locally. */
export interface LocalRestApi {
  readonly stackName: string;
  readonly logicalId: string;
  readonly restApiId: string;
  readonly stage: string;
  /** `http://127.0.0.1:<port>/<stage>` */
  readonly url: string;
}

/** The running local cloud: its services' endpoints, the template they serve, and the identity issuer. */
export interface LocalCloud extends ComposedServices {
  readonly restApis: readonly LocalRestApi[];
  readonly identity: LocalIdentity;
}

/**
 * Starts the local cloud for a synthesized CDK app: every emulated service below, configured from the
 * template, so what runs here is what deploys. A new emulated service is a new folder and one line here.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  if (options.port !== 0) return startOnce(options, options.port ?? 3000);
  // On free ports, the APIs' ports are known before they listen (functions' environments name them), so a
  // process starting beside us can take one first: start again on another block of ports when that happens.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, await portOutsideEphemeralRange());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= FREE_PORT_ATTEMPTS)
        throw error;
    }
  }
}

const FREE_PORT_ATTEMPTS = 8;

async function startOnce(options: LocalCloudOptions, basePort: number): Promise<LocalCloud> {
  const apiKeys = new ApiKeyStore(); // the control plane and the REST APIs meter with the same keys
  const stageCaches = new StageCaches(); // the REST APIs fill them, the control plane flushes them
  const authorizerCaches = new AuthorizerCaches(); // likewise, for the Lambda authorizers' results
  const meter = new UsageMeter(); // the REST APIs count requests, the control plane's GetUsage reads them
  const sink = options.log ?? process.stdout;
  // Every service asks the one authority; the IAM service gives it each template.
  const iam = new IamAuthority(options.iam ?? 'enforce', (line) => sink.write(`[iam] ${line}\n`));
  const identity = identityService({ iam });
  const sqs = sqsService({ iam });
  const services: LocalService[] = [
    dynamoDbService({ failureDestination: sqs.failureDestination, iam }),
    identity,
    apiGatewayControlService({ apiKeys, stageCaches, authorizerCaches, meter, iam }),
    lambdaService({ appDir: options.appDir ?? dirname(resolve(options.cdkOut)) }),
    sqs,
    restApiService({
      apiKeys,
      issuers: identity.issuers,
      throttling: options.throttling,
      stageCaches,
      iam,
      authorizerCaches,
      meter,
    }),
    httpApiService({ throttling: options.throttling, iam }),
    webSocketService({ iam }),
    s3Service({ sendToQueue: sqs.sendToQueue, iam }),
    // New services go after the existing ones, so those keep the ports they had (see ServiceContext.servicePort).
    snsService({ engineEndpoint: sqs.engineEndpoint }),
    secretsService(),
    eventBridgeService({ sendToQueue: sqs.sendToQueue }),
    kinesisService({ failureDestination: sqs.failureDestination }),
    stepFunctionsService({ sendToQueue: sqs.sendToQueue }),
    deployOnlyService(),
    iamService(iam), // last of the built-in ones: a service's ports follow from its place in this list
    ...(options.extraServices ?? []),
  ];
  const cloud = await composeServices(services, {
    cdkOut: options.cdkOut,
    region: options.region ?? 'us-east-1',
    basePort,
    fixedServicePorts: options.port !== 0,
    persistDir: options.persistDir,
    sink,
    functionLogs: options.functionLogs,
    onRequest: options.onRequest,
    credentials: LOCAL_CREDENTIALS,
    onEvent: options.onEvent,
    timing: options.timing,
  });
  // Properties, not copies: a reload changes the endpoints, the model and the coverage under the same object.
  return Object.defineProperties(cloud, {
    restApis: {
      enumerable: true,
      get: (): LocalRestApi[] =>
        cloud.endpoints.flatMap(({ kind, url, api }) =>
          kind === 'REST API' && api ? [{ ...api, restApiId: api.apiId, url }] : [],
        ),
    },
    identity: { enumerable: true, value: identity.identity() },
  }) as LocalCloud;
}
