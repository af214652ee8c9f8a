import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { authorizerEnvironment } from '../services/authorizer/environment';
import { ROUTES_BY_ROLE, type Route } from '../services/authorizer/permissions';
import { ServiceFunction } from './service-function';
import type { TenantRestApi } from './tenant-rest-api';

/**
 * The gateway's check of the `Authorization` header before the authorizer runs (a mismatch is a 401 without an
 * invocation). The scheme is case-insensitive (RFC 7235), as the function's own check is: each letter is spelt
 * as a class because an identity validation expression takes no flags.
 */
export const BEARER_IDENTITY_EXPRESSION = '^[Bb][Ee][Aa][Rr][Ee][Rr] [-0-9A-Za-z._~+/]+=*$';

export interface TenantAuthorizerProps {
  /** The API whose routes this authorizer guards; its grants are checked against that API's routes. */
  readonly api: TenantRestApi;
  /** The table holding tenant profiles (read with GetItem only). */
  readonly table: dynamodb.ITable;
  /** The pool whose ID tokens are accepted (its provider URL is the issuer). */
  readonly userPool: cognito.UserPool;
  /** The app client whose ID tokens are accepted (`aud`). */
  readonly userPoolClient: cognito.IUserPoolClient;
  /**
   * How long API Gateway caches a token's policy (which covers every route the role may call).
   * @default Duration.seconds(300)
   */
  readonly resultsCacheTtl?: Duration;
}

/**
 * The REST API's Lambda TOKEN authorizer and its function: verifies the Cognito ID token (aws-jwt-verify),
 * admits ACTIVE tenants only, and returns a policy for every route the caller's role may call plus the
 * tenant's own API key. Routes behind it use `methodOptions`. At synth, the routes its policy grants
 * (services/authorizer/permissions.ts) must be exactly the routes of the API that use it: a grant for a route
 * that does not exist, or a route it guards but never grants, fails synth.
 */
export class TenantAuthorizer extends Construct {
  readonly authorizer: apigw.TokenAuthorizer;
  readonly handler: ServiceFunction<typeof authorizerEnvironment>;
  /** Method options of a route behind this authorizer: CUSTOM authorization and the tenant's API key. */
  readonly methodOptions: apigw.MethodOptions;
  private readonly api: TenantRestApi;

  constructor(scope: Construct, id: string, props: TenantAuthorizerProps) {
    super(scope, id);
    this.api = props.api;
    const issuer = props.userPool.userPoolProviderUrl;
    this.handler = new ServiceFunction(this, 'Handler', {
      service: 'authorizer',
      environment: authorizerEnvironment,
      description:
        "REST Lambda authorizer: verifies Cognito ID tokens and partners' access tokens (aws-jwt-verify), returns the tenant policy and API key",
      memorySize: 256,
      timeout: Duration.seconds(5),
    })
      .bindTable(props.table, 'TABLE_NAME', ['dynamodb:GetItem'])
      .bindValue('ISSUER', issuer)
      .bindValue('JWKS_URI', `${issuer}/.well-known/jwks.json`)
      .bindValue('USER_POOL_CLIENT_ID', props.userPoolClient.userPoolClientId);

    this.authorizer = new apigw.TokenAuthorizer(this, 'TokenAuthorizer', {
      handler: this.handler.live,
      identitySource: apigw.IdentitySource.header('Authorization'),
      validationRegex: BEARER_IDENTITY_EXPRESSION,
      resultsCacheTtl: props.resultsCacheTtl ?? Duration.seconds(300),
    });
    this.methodOptions = {
      authorizationType: apigw.AuthorizationType.CUSTOM,
      authorizer: this.authorizer,
      apiKeyRequired: true,
    };
    this.node.addValidation({ validate: () => this.checkGrantsMatchRoutes() });
  }

  /** The routes of the API behind this authorizer, as policy resources (`GET orders/*`). */
  get guardedRoutes(): Route[] {
    return this.api.api.methods
      .filter((method) => {
        const cfn = method.node.defaultChild as apigw.CfnMethod;
        return cfn.authorizerId === this.authorizer.authorizerId;
      })
      .map((method) => ({
        method: method.httpMethod as Route['method'],
        path: method.resource.path.replace(/^\//, '').replace(/\{[^/}]+\+?\}/g, '*'),
      }));
  }

  private checkGrantsMatchRoutes(): string[] {
    const guarded = this.guardedRoutes;
    const errors: string[] = [];
    for (const [role, granted] of Object.entries(ROUTES_BY_ROLE)) {
      for (const grant of granted) {
        if (!guarded.some((route) => covers(grant, route))) {
          errors.push(
            `the authorizer grants ${role}s ${grant.method} /${grant.path}, which no route behind it serves: drop it from services/authorizer/permissions.ts or add the route`,
          );
        }
      }
    }
    for (const route of guarded) {
      if (!Object.values(ROUTES_BY_ROLE).some((granted) => granted.some((grant) => covers(grant, route)))) {
        errors.push(
          `${route.method} /${route.path} is behind the authorizer but no role is granted it (a cached policy would deny it): add it to services/authorizer/permissions.ts`,
        );
      }
    }
    return errors;
  }
}

/** Whether a policy resource (where `*` matches any characters, `/` included) covers a route. */
function covers(grant: Route, route: Route): boolean {
  if (grant.method !== route.method) return false;
  const pattern = grant.path
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(route.path);
}
