import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { callerOf, instrumented, type Telemetry } from '../../shared/instrumented-handler';
import { METRICS_NAMESPACE } from '../../shared/metrics';
import { cognitoEvent, lambdaAuthorizerEvent, lambdaContext, restEvent } from '../support/api-events';
import { jwtEvent } from '../support/http-api-events';

const TENANT = 't0123456789abcdef';
const USER = '3f1c2a9e-0b7d-4d1e-9a53-6c2f1e8b7a10';
const REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';

function ordersTelemetry(): Telemetry {
  return {
    logger: new Logger({ serviceName: 'orders', logLevel: 'INFO' }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'orders' }),
    tracer: new Tracer({ serviceName: 'orders' }),
  };
}

function ordersEvent(tier = 'premium') {
  return lambdaAuthorizerEvent(
    { method: 'GET', resource: '/orders', requestId: REQUEST_ID },
    { tenantId: TENANT, userId: USER, role: 'member', tier },
  );
}

/** Every JSON line written to stdout while `action` runs (EMF blobs and log lines alike). */
async function stdoutLines(action: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await action().catch(() => undefined);
  } finally {
    stdout.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface EmfBlob {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }>;
  };
  [key: string]: unknown;
}

function emfBlobs(lines: Record<string, unknown>[]): EmfBlob[] {
  return lines.filter((line): line is EmfBlob => '_aws' in line);
}

/** The blob that carries the invocation counters (the cold-start metric comes in a blob of its own). */
function invocationBlob(lines: Record<string, unknown>[]): EmfBlob {
  const blob = emfBlobs(lines).find((b) =>
    b._aws.CloudWatchMetrics[0]?.Metrics.some((metric) => metric.Name === 'Invocations'),
  );
  if (!blob) throw new Error(`no Invocations blob in ${JSON.stringify(lines)}`);
  return blob;
}

describe('an instrumented handler', () => {
  it('flushes one EMF blob per invocation: tier as a dimension, the tenant as a property only', async () => {
    const handler = instrumented(async () => ({ statusCode: 200, body: '[]' }), ordersTelemetry());
    const lines = await stdoutLines(() => handler(ordersEvent('premium'), lambdaContext()));
    const blob = invocationBlob(lines);
    const [directive] = blob._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe('SaasOrders');
    expect(directive?.Dimensions).toEqual([['service', 'tier']]);
    expect(blob).toMatchObject({
      service: 'orders',
      tier: 'premium',
      tenantId: TENANT,
      Invocations: 1,
      Faults: 0,
    });
    expect(JSON.stringify(directive?.Dimensions)).not.toContain('tenantId');
  });

  it('counts a 5XX answer and a thrown error as faults, and still rethrows the error', async () => {
    const answers500 = instrumented(async () => ({ statusCode: 500, body: '{}' }), ordersTelemetry());
    expect(invocationBlob(await stdoutLines(() => answers500(ordersEvent(), lambdaContext())))).toMatchObject(
      {
        Faults: 1,
      },
    );
    const throws = instrumented(async () => {
      throw new Error('table unavailable');
    }, ordersTelemetry());
    let thrown: unknown;
    const lines = await stdoutLines(() =>
      throws(ordersEvent(), lambdaContext()).catch((error: unknown) => {
        thrown = error;
      }),
    );
    expect(thrown).toEqual(new Error('table unavailable'));
    expect(invocationBlob(lines)).toMatchObject({ Faults: 1, Invocations: 1 });
  });

  it('emits only the service dimension when the event names no tier (streams, queues, public routes)', async () => {
    const handler = instrumented(async () => ({ batchItemFailures: [] }), ordersTelemetry());
    const blob = invocationBlob(await stdoutLines(() => handler({ Records: [] }, lambdaContext())));
    expect(blob._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(blob).not.toHaveProperty('tenantId');
  });

  it('adds the caller’s requestId, tenantId and userId to every log line of the invocation, and drops them after', async () => {
    const telemetry = ordersTelemetry();
    const handler = instrumented(async () => {
      telemetry.logger.info('listing orders');
      return { statusCode: 200, body: '[]' };
    }, telemetry);
    const during = (
      await stdoutLines(() => handler(ordersEvent(), lambdaContext({ functionName: 'orders-fn' })))
    ).filter((line) => line.message === 'listing orders');
    expect(during).toEqual([
      expect.objectContaining({
        requestId: REQUEST_ID,
        tenantId: TENANT,
        userId: USER,
        function_name: 'orders-fn',
      }),
    ]);

    const next = (await stdoutLines(() => handler({ Records: [] }, lambdaContext()))).filter(
      (line) => line.message === 'listing orders',
    );
    expect(next).toHaveLength(1);
    expect(next[0]).not.toHaveProperty('tenantId');
    expect(next[0]).not.toHaveProperty('userId');
  });
});

describe('the caller of an event', () => {
  it('is read from the REST Cognito authorizer’s claims and the HTTP API JWT authorizer’s claims', () => {
    const request = { method: 'GET', resource: '/catalog', requestId: REQUEST_ID };
    expect(callerOf(cognitoEvent(request, { sub: USER, tenantId: TENANT, role: 'admin' }))).toEqual({
      requestId: REQUEST_ID,
      tenantId: TENANT,
      userId: USER,
    });
    const jwt = jwtEvent({ routeKey: 'GET /me' }, { sub: USER, 'custom:tenantId': TENANT, token_use: 'id' });
    expect(callerOf(jwt)).toMatchObject({ tenantId: TENANT, userId: USER });
  });

  it('never comes from the request itself: a tenant in a header, path or body is not the caller', () => {
    const event = restEvent({
      method: 'POST',
      resource: '/orders/{tenantId}',
      pathParameters: { tenantId: TENANT },
      headers: { 'X-Tenant-Id': TENANT },
      body: { tenantId: TENANT },
      requestId: REQUEST_ID,
    });
    expect(callerOf(event)).toEqual({ requestId: REQUEST_ID });
  });
});
