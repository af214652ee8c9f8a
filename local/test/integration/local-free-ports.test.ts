import { createServer, type Server } from 'node:http';
import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { closeServer, listenOn, portDrawRange, portOutsideEphemeralRange } from '../../loopback-server';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * On free ports (`port: 0`) the APIs' ports are fixed before they listen — functions' environments name them — so
 * another process can take one in between. The local cloud then starts again on another block of ports instead of
 * failing (jest's parallel workers hit this in CI).
 */
function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'FreePortsApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const hello = new lambda.Function(stack, 'Hello', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "hello" });'),
  });
  new apigw.LambdaRestApi(stack, 'Rest', { handler: hello, deployOptions: { stageName: 'prod' } });
  new apigwv2.HttpApi(stack, 'Http', { defaultIntegration: new HttpLambdaIntegration('Hello', hello) });
  app.synth();
}

const listeners: Server[] = [];
let served: CloudOnApp | undefined;

afterEach(async () => {
  jest.restoreAllMocks();
  await served?.close();
  served = undefined;
  for (const server of listeners.splice(0)) await closeServer(server);
});

async function hold(port: number): Promise<boolean> {
  const server = createServer();
  try {
    await listenOn(server, port);
    listeners.push(server);
    return true;
  } catch {
    return false;
  }
}

describe('the local cloud on free ports', () => {
  it('draws ports below the kernel’s ephemeral range, which outgoing connections never take', async () => {
    const { from, to } = portDrawRange();
    const port = await portOutsideEphemeralRange();
    expect(port).toBeGreaterThanOrEqual(from);
    expect(port).toBeLessThan(to);
    expect(await hold(port)).toBe(true);
  });

  it('starts again on other ports when one of its APIs’ ports is taken before it listens', async () => {
    const { from, to } = portDrawRange();
    // A base port that is free, whose neighbour (the second API's port) another process holds.
    let base = from;
    do base = from + Math.floor(Math.random() * (to - from - 2));
    while (!(await hold(base + 1)) || !(await isFree(base)));
    // The module object itself (an `import * as` would be a copy): the local cloud draws through it.
    const draws = jest
      .spyOn(require('node:crypto') as typeof import('node:crypto'), 'randomInt')
      .mockReturnValueOnce(base as never);

    served = await startCloudOnApp('local-free-ports', synth);

    const ports = served.cloud.endpoints
      .filter((e) => e.kind.endsWith('API'))
      .map((e) => Number(new URL(e.url).port));
    expect(ports).toHaveLength(2);
    expect(ports).not.toContain(base + 1);
    expect(draws.mock.calls.length).toBeGreaterThan(1);
    for (const endpoint of served.cloud.endpoints.filter((e) => e.kind.endsWith('API'))) {
      const response = await fetch(endpoint.url);
      expect(await response.text()).toBe('hello');
    }
  }, 60_000);
});

async function isFree(port: number): Promise<boolean> {
  const probe = createServer();
  try {
    await listenOn(probe, port);
    await closeServer(probe);
    return true;
  } catch {
    return false;
  }
}
