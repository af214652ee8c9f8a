import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { APP_NAME } from '../shared/app-name';
import type { RestAccessLogField } from './rest-access-log';

/** Where the Logs Insights queries live: one `.query` file each, the only copy (the stack reads them). */
export const LOGS_INSIGHTS_DIR = path.join(__dirname, '..', 'ops', 'logs-insights');

/**
 * Which log groups each query runs on: the REST access logs, or those plus every function's log group (a
 * tenant's errors are in both: the gateway's status and the handler's ERROR lines).
 */
const QUERY_SCOPES: Readonly<Record<string, 'access-logs' | 'access-and-function-logs'>> = {
  'top-tenants-by-requests': 'access-logs',
  'error-rate-by-tenant': 'access-logs',
  'p99-latency-by-tenant': 'access-logs',
  'tenant-recent-errors': 'access-and-function-logs',
};

type Filter =
  | { readonly Match: `$.${RestAccessLogField}`; readonly NotIn: readonly string[] }
  | { readonly Match: `$.${RestAccessLogField}`; readonly GreaterThan: number }
  | { readonly Match: `$.${RestAccessLogField}`; readonly LessThan: number };

interface Contribution {
  readonly filters: readonly Filter[];
  /** Sum this field per tenant; without it, requests are counted. */
  readonly sumOf?: `$.${RestAccessLogField}`;
}

/** Requests the authorizer attributed to a tenant (others log `-`). */
const HAS_TENANT: Filter = { Match: '$.tenantId', NotIn: ['-'] };

/** The Contributor Insights rules: which tenants contribute most, each over the REST access logs. */
const RULES: Readonly<Record<string, Contribution>> = {
  'tenants-by-requests': { filters: [HAS_TENANT] },
  'tenants-by-4xx': {
    filters: [HAS_TENANT, { Match: '$.status', GreaterThan: 399 }, { Match: '$.status', LessThan: 500 }],
  },
  'tenants-by-5xx': { filters: [HAS_TENANT, { Match: '$.status', GreaterThan: 499 }] },
  'tenants-by-latency': { filters: [HAS_TENANT], sumOf: '$.responseLatency' },
};

/** The query files in `LOGS_INSIGHTS_DIR`, by name (the file name without `.query`). */
export function logsInsightsQueries(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(LOGS_INSIGHTS_DIR)
      .filter((file) => file.endsWith('.query'))
      .map((file) => [
        file.replace(/\.query$/, ''),
        readFileSync(path.join(LOGS_INSIGHTS_DIR, file), 'utf8').trim(),
      ]),
  );
}

export interface TenantInsightsProps {
  /** Names the rules (`saas-orders-<stage>-tenants-by-…`) and the query folder (`saas-orders/<stage>/…`). */
  readonly stageName: string;
  /** The REST stage's JSON access logs (the fields of `REST_ACCESS_LOG_FIELDS`). */
  readonly restAccessLogs: logs.ILogGroup;
  /** Every function's log group: Powertools JSON lines carrying `tenantId`. */
  readonly functionLogGroups: readonly logs.ILogGroup[];
}

/**
 * Per-tenant views without per-tenant metrics (a tenant dimension would bill one metric per tenant): Contributor
 * Insights rules over the REST access logs — top tenants by requests, by 4XX, by 5XX and by total latency — and
 * the repository's Logs Insights queries (ops/logs-insights) as saved queries on the log groups they read.
 */
export class TenantInsights extends Construct {
  readonly rules: cloudwatch.CfnInsightRule[] = [];
  readonly queries: logs.CfnQueryDefinition[] = [];

  constructor(scope: Construct, id: string, props: TenantInsightsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    for (const [name, contribution] of Object.entries(RULES)) {
      const body = {
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        LogGroupNames: [props.restAccessLogs.logGroupName],
        LogFormat: 'JSON',
        Contribution: {
          Keys: ['$.tenantId'],
          Filters: contribution.filters,
          ...(contribution.sumOf ? { ValueOf: contribution.sumOf } : {}),
        },
        AggregateOn: contribution.sumOf ? 'Sum' : 'Count',
      };
      this.rules.push(
        new cloudwatch.CfnInsightRule(this, name, {
          ruleName: `${APP_NAME}-${props.stageName}-${name}`,
          ruleState: 'ENABLED',
          ruleBody: stack.toJsonString(body),
        }),
      );
    }

    const queries = logsInsightsQueries();
    const unscoped = Object.keys(queries).filter((name) => !(name in QUERY_SCOPES));
    const missing = Object.keys(QUERY_SCOPES).filter((name) => !(name in queries));
    if (unscoped.length > 0 || missing.length > 0) {
      throw new Error(
        `ops/logs-insights and QUERY_SCOPES disagree (files without a scope: ${unscoped.join(', ') || 'none'}; scopes without a file: ${missing.join(', ') || 'none'}): add the file or its scope in infra/tenant-insights.ts`,
      );
    }
    for (const [name, queryString] of Object.entries(queries)) {
      const groups =
        QUERY_SCOPES[name] === 'access-logs'
          ? [props.restAccessLogs]
          : [props.restAccessLogs, ...props.functionLogGroups];
      this.queries.push(
        new logs.CfnQueryDefinition(this, name, {
          name: `${APP_NAME}/${props.stageName}/${name}`,
          queryString,
          logGroupNames: groups.map((group) => group.logGroupName),
        }),
      );
    }
  }
}
