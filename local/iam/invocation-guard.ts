import type { LambdaInvoker } from '../model';
import type { IamAuthority, ServiceSource } from './call-authority';
import { functionArnOfUri } from './iam-model';

/**
 * Thrown instead of invoking a function whose resource-based policy does not let the calling service invoke it
 * (no `AWS::Lambda::Permission` for API Gateway and the source ARN). API Gateway answers 500 and logs
 * "Execution failed due to configuration error: Invalid permissions on Lambda function".
 */
export class LambdaPermissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LambdaPermissionError';
  }
}

type Event = Record<string, unknown> & {
  readonly requestContext?: Record<string, unknown> & { http?: { method?: string } };
};

/** `arn:aws:execute-api:<region>:<acct>:<apiId>/…` → the API id. */
const apiIdOfArn = (arn: unknown) => (typeof arn === 'string' ? arn.split(':')[5]?.split('/')[0] : undefined);

/**
 * The source ARN API Gateway invokes with, read from the event it built: `<apiId>/<stage>/<METHOD>/<path>` for a
 * REST integration (the request's path), `<apiId>/<stage>/<METHOD><route path>` for an HTTP API route (its route
 * key's path), `<apiId>/<stage>/<routeKey>` for a WebSocket route, `<apiId>/authorizers/<id>` for an authorizer.
 */
function sourceArnOf(iam: IamAuthority, functionArn: string, event: Event): string | undefined {
  const model = iam.iamModel;
  if (model === undefined) return undefined;
  const context = event.requestContext ?? {};
  const authorizerApi = apiIdOfArn(event.methodArn ?? event.routeArn);
  const apiOfEvent = authorizerApi ?? (typeof context.apiId === 'string' ? context.apiId : undefined);
  const prefix = `arn:aws:execute-api:${apiRegion(iam, functionArn, apiOfEvent)}:${model.accountId}:`;
  if (authorizerApi !== undefined && (event.type === 'TOKEN' || event.type === 'REQUEST')) {
    const id = model.authorizers.get(`${authorizerApi} ${functionArn}`) ?? 'unknown';
    return `${prefix}${authorizerApi}/authorizers/${id}`;
  }
  const apiId = context.apiId;
  const stage = context.stage;
  if (typeof apiId !== 'string' || typeof stage !== 'string') return undefined;
  const routeKey = typeof context.routeKey === 'string' ? context.routeKey : undefined;
  if (typeof context.eventType === 'string' && routeKey !== undefined)
    return `${prefix}${apiId}/${stage}/${routeKey}`;
  if (routeKey?.includes(' ')) {
    const [method = '', path = ''] = routeKey.split(' ');
    return `${prefix}${apiId}/${stage}/${method}${path}`;
  }
  if (routeKey === '$default') return `${prefix}${apiId}/${stage}/${context.http?.method ?? '*'}/$default`;
  const method = context.httpMethod ?? event.httpMethod;
  const path = event.path ?? context.resourcePath;
  if (typeof method === 'string' && typeof path === 'string')
    return `${prefix}${apiId}/${stage}/${method}${path}`;
  return undefined;
}

/**
 * The region the API runs in, as the function's permissions name it: a stack deployed to a concrete region
 * (`env: { region: 'eu-west-1' }`) has that region written in its permissions' source ARNs, while the local cloud
 * serves every stack in its own region. The first permission naming this API with a concrete region says which;
 * otherwise the local cloud's region.
 */
function apiRegion(iam: IamAuthority, functionArn: string, apiId: string | undefined): string {
  const model = iam.iamModel;
  const local = model?.region ?? 'us-east-1';
  if (apiId === undefined || model === undefined) return local;
  for (const statement of model.functionPolicies.get(functionArn)?.statements ?? []) {
    for (const keys of Object.values(statement.condition)) {
      for (const [key, values] of Object.entries(keys)) {
        if (key.toLowerCase() !== 'aws:sourcearn') continue;
        for (const value of values) {
          const [, , service, region = '', , resource = ''] = value.split(':');
          if (
            service === 'execute-api' &&
            resource.startsWith(`${apiId}/`) &&
            region !== '' &&
            !region.includes('*')
          )
            return region;
        }
      }
    }
  }
  return local;
}

/**
 * The invoker API Gateway's emulators get: before each invocation, the function's permissions must let
 * `apigateway.amazonaws.com` invoke it for the source ARN (see {@link sourceArnOf}); otherwise it throws
 * {@link LambdaPermissionError} and the function does not run.
 */
export function apiGatewayInvoker(invoker: LambdaInvoker, iam: IamAuthority | undefined): LambdaInvoker {
  if (iam === undefined || iam.mode === 'off') return invoker;
  return {
    async invoke(functionArn, event) {
      const unqualified = functionArnOfUri(functionArn) ?? functionArn;
      const sourceArn = sourceArnOf(iam, unqualified, (event ?? {}) as Event);
      if (sourceArn !== undefined) {
        const source: ServiceSource = { service: 'apigateway.amazonaws.com', sourceArn };
        const refusal = iam.authorizeInvocation(
          functionArn.startsWith('arn:aws:lambda:') ? functionArn : unqualified,
          source,
        );
        if (refusal)
          throw new LambdaPermissionError(`Invalid permissions on Lambda function: ${refusal.message}`);
      }
      return invoker.invoke(functionArn, event);
    },
  };
}
