import { Metrics } from '@aws-lambda-powertools/metrics';
import { APP_PASCAL_NAME } from './app-name';

/** The CloudWatch namespace of every metric the functions emit (set as POWERTOOLS_METRICS_NAMESPACE by infra). */
export const METRICS_NAMESPACE = APP_PASCAL_NAME;

/**
 * One EMF metrics buffer per function. Namespace and the `service` dimension come from the environment
 * (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME); the buffer is flushed once per invocation by
 * shared/instrumented-handler.ts.
 */
export const metrics = new Metrics();

/**
 * What the broadcaster counts per record it pushes: posts delivered to a connection, and connections API Gateway
 * answered 410 Gone for (deleted). The dashboard's live-update graph reads the same names.
 */
export const BROADCAST_METRICS = {
  posted: 'ConnectionPosts',
  gone: 'ConnectionsGone',
} as const;
