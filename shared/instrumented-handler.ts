import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { logger as sharedLogger } from './logger';
import { metrics as sharedMetrics } from './metrics';
import { tracer as sharedTracer } from './tracer';

/** Who an invocation is for, as far as its event says (API events only: streams and queues carry no caller). */
export interface InvocationCaller {
  /** API Gateway's request id (the access logs' `requestId`), not Lambda's. */
  readonly requestId?: string;
  readonly tenantId?: string;
  readonly userId?: string;
  /** The tenant's plan: only the REST API's Lambda authorizer puts it in its context. */
  readonly tier?: string;
}

/** The Powertools instances an instrumented handler reports to; tests pass fresh ones. */
export interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** Counted once per invocation, by tier where the tier is known. */
export const INVOCATION_METRICS = {
  invocations: 'Invocations',
  /** A thrown error or a 5XX answer (the routers turn unknown errors into 500s). */
  faults: 'Faults',
} as const;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The caller of an API event, from wherever its authorizer left it: the REST Lambda authorizer's and the
 * WebSocket `$connect` authorizer's context (`tenantId`, `userId`, `tier`), the REST Cognito authorizer's
 * `claims`, or the HTTP API JWT authorizer's `jwt.claims`. Never from the request itself.
 */
export function callerOf(event: unknown): InvocationCaller {
  const requestContext = field(event, 'requestContext');
  const authorizer = field(requestContext, 'authorizer');
  const claims = field(authorizer, 'claims') ?? field(field(authorizer, 'jwt'), 'claims');
  const caller = {
    requestId: text(field(requestContext, 'requestId')),
    tenantId: text(field(authorizer, 'tenantId')) ?? text(field(claims, 'custom:tenantId')),
    userId: text(field(authorizer, 'userId')) ?? text(field(claims, 'sub')),
    tier: text(field(authorizer, 'tier')),
  };
  return Object.fromEntries(Object.entries(caller).filter(([, value]) => value !== undefined));
}

function isFault(result: unknown): boolean {
  const status = field(result, 'statusCode');
  return typeof status === 'number' && status >= 500;
}

/**
 * Wraps a Lambda handler with Powertools per invocation: the logger gets the Lambda context and the caller's
 * `requestId`, `tenantId` and `userId`; one EMF blob is flushed per invocation (`Invocations`, `Faults`, the
 * cold start) with `tier` as a dimension when known and the tenant as a property only (a tenant dimension
 * would be one billed metric per tenant); an X-Ray subsegment carries the tenant and tier as annotations.
 * Keys and buffers are reset whatever the handler does, so nothing leaks into the next invocation.
 */
export function instrumented<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  telemetry: Telemetry = { logger: sharedLogger, metrics: sharedMetrics, tracer: sharedTracer },
): (event: E, context: Context) => Promise<R> {
  const { logger, metrics, tracer } = telemetry;
  return async (event, context) => {
    const caller = callerOf(event);
    logger.resetKeys();
    logger.addContext(context);
    const { tier, ...keys } = caller;
    logger.appendKeys(keys);
    metrics.captureColdStartMetric();
    if (tier !== undefined) metrics.addDimension('tier', tier);
    if (caller.tenantId !== undefined) metrics.addMetadata('tenantId', caller.tenantId);
    metrics.addMetric(INVOCATION_METRICS.invocations, MetricUnit.Count, 1);

    // As Powertools' own handler decorator does: annotations cannot go on Lambda's facade segment.
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = parent?.addNewSubsegment('## handler');
    if (segment !== undefined) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
      if (caller.tenantId !== undefined) tracer.putAnnotation('tenantId', caller.tenantId);
      if (tier !== undefined) tracer.putAnnotation('tier', tier);
    }
    let fault = true;
    try {
      const result = await handler(event, context);
      fault = isFault(result);
      return result;
    } catch (error) {
      if (segment !== undefined) tracer.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      metrics.addMetric(INVOCATION_METRICS.faults, MetricUnit.Count, fault ? 1 : 0);
      metrics.publishStoredMetrics();
      if (segment !== undefined && parent !== undefined) {
        segment.close();
        tracer.setSegment(parent);
      }
      logger.resetKeys();
    }
  };
}
