import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * A rate needs enough requests to mean anything: below this many in a period the rate reads 0, so one failed
 * request out of two at night is not a 50 % error rate that pages someone.
 */
export const MIN_REQUESTS_FOR_A_RATE = 10;

/** The golden signals of a request/response API (REST or HTTP), as CloudWatch metrics of its stage. */
export interface RequestApiSignals {
  /** A short name for alarm descriptions and dashboard titles: `REST`, `HTTP`. */
  readonly name: string;
  readonly requests: (period: Duration) => cloudwatch.Metric;
  /** 5XX responses: the API's or the backend's fault. */
  readonly serverErrors: (period: Duration) => cloudwatch.Metric;
  /** 4XX responses, 429 (throttled, over quota) included: API Gateway counts every 4XX in one metric. */
  readonly clientErrors: (period: Duration) => cloudwatch.Metric;
  readonly latency: (statistic: string, period: Duration) => cloudwatch.Metric;
  readonly integrationLatency: (statistic: string, period: Duration) => cloudwatch.Metric;
}

/** The REST API's signals on its deployment stage (dimensions ApiName and Stage). */
export function restApiSignals(api: apigw.RestApi): RequestApiSignals {
  const stage = api.deploymentStage;
  return {
    name: 'REST',
    requests: (period) => stage.metricCount({ statistic: 'Sum', period }),
    serverErrors: (period) => stage.metricServerError({ statistic: 'Sum', period }),
    clientErrors: (period) => stage.metricClientError({ statistic: 'Sum', period }),
    latency: (statistic, period) => stage.metricLatency({ statistic, period }),
    integrationLatency: (statistic, period) => stage.metricIntegrationLatency({ statistic, period }),
  };
}

/** The HTTP API's signals (dimension ApiId: the API serves only its `$default` stage). */
export function httpApiSignals(api: apigwv2.HttpApi): RequestApiSignals {
  return {
    name: 'HTTP',
    requests: (period) => api.metricCount({ statistic: 'Sum', period }),
    serverErrors: (period) => api.metricServerError({ statistic: 'Sum', period }),
    clientErrors: (period) => api.metricClientError({ statistic: 'Sum', period }),
    latency: (statistic, period) => api.metricLatency({ statistic, period }),
    integrationLatency: (statistic, period) => api.metricIntegrationLatency({ statistic, period }),
  };
}

/** The WebSocket API's metrics, on its stage (the CDK's WebSocketApi has no metric methods). */
export function webSocketMetric(
  stage: apigwv2.WebSocketStage,
  metricName:
    | 'ConnectCount'
    | 'MessageCount'
    | 'IntegrationError'
    | 'ClientError'
    | 'ExecutionError'
    | 'IntegrationLatency',
  options: { statistic: string; period: Duration },
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApiGateway',
    metricName,
    dimensionsMap: { ApiId: stage.api.apiId, Stage: stage.stageName },
    ...options,
  });
}

/**
 * `errors` as a percentage of `requests` in each period, reading 0 below `MIN_REQUESTS_FOR_A_RATE` requests
 * (and when there are none at all, rather than no value). `errorsId` names the errors series, which must
 * differ between rates drawn on one graph.
 */
export function percentOf(
  errors: cloudwatch.IMetric,
  requests: cloudwatch.IMetric,
  label: string,
  period: Duration,
  errorsId = 'errors',
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `IF(requests >= ${MIN_REQUESTS_FOR_A_RATE}, 100 * ${errorsId} / requests, 0)`,
    usingMetrics: { [errorsId]: errors, requests },
    label,
    period,
  });
}

export const ONE_MINUTE = Duration.minutes(1);
export const FIVE_MINUTES = Duration.minutes(5);
