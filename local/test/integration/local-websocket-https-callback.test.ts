import { App, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import WebSocket from 'ws';
import type { LocalCloud } from '../../local-cloud';
import { loopbackCertificate } from '../../loopback-tls';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

let served: CloudOnApp | undefined;
let cloud: LocalCloud;
let socketUrl: string;
const open: WebSocket[] = [];

/** The usual pattern: the @connections endpoint built from the event, over https, as AWS documents it. */
const ECHO_BACK = `
const { ApiGatewayManagementApiClient, PostToConnectionCommand } = require('@aws-sdk/client-apigatewaymanagementapi');
exports.handler = async (event) => {
  const { domainName, stage, connectionId } = event.requestContext;
  const client = new ApiGatewayManagementApiClient({ endpoint: \`https://\${domainName}/\${stage}\` });
  await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'echo: ' + event.body }));
  return { statusCode: 200 };
};`;

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'EchoSocket');
  const echo = new lambda.Function(stack, 'Echo', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(ECHO_BACK),
  });
  const api = new apigwv2.WebSocketApi(stack, 'Api', {
    defaultRouteOptions: { integration: new WebSocketLambdaIntegration('Echo', echo) },
  });
  const stage = new apigwv2.WebSocketStage(stack, 'Stage', {
    webSocketApi: api,
    stageName: 'live',
    autoDeploy: true,
  });
  stage.grantManagementApiAccess(echo);
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-websocket-https', synth);
  cloud = served.cloud;
  const endpoint = cloud.endpoints.find((e) => e.kind === 'WebSocket API');
  if (endpoint === undefined) throw new Error('no WebSocket API endpoint');
  socketUrl = endpoint.url;
}, 90_000);

afterAll(async () => {
  for (const socket of open) socket.terminate();
  await served?.close();
});

function connect(url: string, options?: WebSocket.ClientOptions): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    open.push(socket);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

const nextMessage = (socket: WebSocket) =>
  new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));

describe('a function posting to @connections at https://<requestContext.domainName>/<stage>', () => {
  it('reaches the local WebSocket API, and the client receives the message', async () => {
    const socket = await connect(socketUrl);
    const received = nextMessage(socket);

    socket.send('hello');

    expect(await received).toBe('echo: hello');
  });

  it('is trusted inside function workers only: this process does not trust the local certificate', async () => {
    const { port } = new URL(socketUrl);

    await expect(fetch(`https://127.0.0.1:${port}/live/@connections/nobody`)).rejects.toThrow();
  });

  it('lets a client that trusts the certificate connect with wss:// on the same port', async () => {
    const { cert } = await loopbackCertificate();
    const socket = await connect(socketUrl.replace(/^ws:/, 'wss:'), { ca: cert });
    const received = nextMessage(socket);

    socket.send('over tls');

    expect(await received).toBe('echo: over tls');
  });
});
