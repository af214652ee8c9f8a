/**
 * The gateway's own baselines for `npm run bench` (issue 25, targets 2 and 3), measured in the same run as the
 * product: a one-route app whose only route is the product's MOCK CORS preflight (so the product's figure shows
 * what its bigger template costs per request), a Lambda route behind a TOKEN authorizer cached 300 s, and a bare
 * `node:http` server answering that route's body — the limit any local gateway is held against.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { startLocalCloud } from 'cdk-local-cloud';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECONDS } from '../shared/cors';
import { type Load, load } from './load';

/** The body both the TOKEN route and the bare server answer. */
const BODY = JSON.stringify({ hello: 'world' });
/** The product's local console origin: its preflight is what the product's MOCK figure measures. */
export const PREFLIGHT_ORIGIN = 'http://localhost:5173';

function synthesizeSmallApp(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'BenchSmall', { env: { account: '123456789012', region: 'us-east-1' } });
  const hello = new lambda.Function(stack, 'Hello', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      `exports.handler = async () => ({ statusCode: 200, body: ${JSON.stringify(BODY)} });`,
    ),
  });
  const authorize = new lambda.Function(stack, 'Authorize', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(
      `exports.handler = async (event) => ({ principalId: 'bench', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: event.authorizationToken === 'Bearer ok' ? 'Allow' : 'Deny', Resource: event.methodArn }] } });`,
    ),
  });
  const oneRoute = new apigw.RestApi(stack, 'OneRoute', {
    deployOptions: { stageName: 'prod' },
    defaultCorsPreflightOptions: {
      allowOrigins: [PREFLIGHT_ORIGIN],
      allowHeaders: CORS_ALLOWED_HEADERS,
      allowMethods: CORS_ALLOWED_METHODS,
      allowCredentials: true,
      maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
    },
  });
  oneRoute.root.addResource('orders').addMethod('GET', new apigw.MockIntegration());
  const authorized = new apigw.RestApi(stack, 'Authorized', { deployOptions: { stageName: 'prod' } });
  authorized.root.addResource('hello').addMethod('GET', new apigw.LambdaIntegration(hello), {
    authorizer: new apigw.TokenAuthorizer(stack, 'Token', {
      handler: authorize,
      resultsCacheTtl: Duration.seconds(300),
    }),
  });
  app.synth();
}

/** Requests per second of each baseline. */
export interface GatewayBaselines {
  /** `OPTIONS /orders` (MOCK) of the one-route app. */
  readonly oneRouteMock: Load;
  /** `GET /hello` behind the cached TOKEN authorizer, a Lambda proxy route. */
  readonly cachedTokenRoute: Load;
  /** A bare `node:http` server answering the same body, in this process as the gateway is. */
  readonly bareHttp: Load;
}

/** Serves the small app on the local cloud and a bare server beside it, and measures the three. */
export async function measureGatewayBaselines(): Promise<GatewayBaselines> {
  const work = await mkdtemp(join(tmpdir(), 'saas-orders-bench-small-'));
  try {
    const cdkOut = join(work, 'cdk.out');
    synthesizeSmallApp(cdkOut);
    const cloud = await startLocalCloud({ cdkOut, port: 0, throttling: false, log: { write: () => true } });
    let oneRouteMock: Load;
    let cachedTokenRoute: Load;
    try {
      const url = (id: string) => cloud.restApis.find((api) => api.logicalId.startsWith(id))?.url ?? '';
      oneRouteMock = await load('OPTIONS /orders (one-route app)', `${url('OneRoute')}/orders`, {
        method: 'OPTIONS',
        headers: { origin: PREFLIGHT_ORIGIN, 'access-control-request-method': 'GET' },
      });
      cachedTokenRoute = await load('GET /hello (cached TOKEN authorizer)', `${url('Authorized')}/hello`, {
        headers: { authorization: 'Bearer ok' },
      });
    } finally {
      await cloud.close();
    }
    const bare = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(BODY);
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      const bareHttp = await load(
        'GET / (bare node:http)',
        `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`,
      );
      return { oneRouteMock, cachedTokenRoute, bareHttp };
    } finally {
      bare.closeAllConnections();
      await new Promise<void>((resolve) => bare.close(() => resolve()));
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
