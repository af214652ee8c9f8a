import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { LocalCloudModel, LocalResource, StoredUser, UserPoolStore } from 'cdk-local-cloud/testing';
import {
  type ApiGatewayControlServer,
  type ApiKeyRecord,
  ApiKeyStore,
  AuthorizerCaches,
  createApiGatewayControlServer,
  createIdentityServer,
  type LocalIdentity,
  StageCaches,
  UsageMeter,
} from 'cdk-local-cloud/testing';
import { stageConfig } from '../../infra/config';
import { StatefulStack } from '../../infra/stateful-stack';

/** A usage plan as onboarding finds it: by name. */
export interface UsagePlanFixture {
  readonly id: string;
  readonly name: string;
  /** More of the plan's template properties (Throttle, Quota). */
  readonly properties?: Record<string, unknown>;
}

/** Options of `startLocalControlPlanes`. */
export interface LocalControlPlanesOptions {
  /** The physical id the stack's user pool gets (the USER_POOL_ID the handler is configured with). */
  readonly userPoolId: string;
  readonly usagePlans: readonly UsagePlanFixture[];
  /** The REST API stage whose caches the control plane may flush (FlushStageCache, FlushStageAuthorizersCache). */
  readonly restStage?: { readonly restApiId: string; readonly stageName: string };
}

/**
 * The local cloud's own Cognito Identity Provider and API Gateway control-plane servers, started for handler
 * tests, with read access to their state for assertions.
 */
export interface LocalControlPlanes {
  /** The user pool's users (admin API state as the local identity server keeps it). */
  readonly userPool: UserPoolStore;
  /** API keys and usage-plan bindings, as the local control plane keeps them. */
  readonly apiKeys: ApiKeyStore;
  /** The Lambda authorizer caches FlushStageAuthorizersCache empties. */
  readonly authorizerCaches: AuthorizerCaches;
  /** The usage meter GetUsage reads: a test counts requests on it as the REST API would. */
  readonly meter: UsageMeter;
  /** The user who signs in with `email`, if any. */
  userByEmail(email: string): StoredUser | undefined;
  /** Every API key whose name is exactly `name`. */
  keysNamed(name: string): ApiKeyRecord[];
  /** The ids of the usage plans a key is bound to. */
  plansOf(keyId: string): string[];
  stop(): Promise<void>;
}

const resource = (
  logicalId: string,
  type: string,
  physicalId: string,
  properties: Record<string, unknown>,
): LocalResource => ({ stackName: 'TestStateful', logicalId, type, physicalId, properties, attributes: {} });

/**
 * The user pool, its groups and resource servers exactly as the stateful stack synthesizes them (sign-in by email, the immutable
 * custom attributes and their lengths), so the tests meet the pool that deploys; plus the tier usage plans.
 */
function controlPlaneModel(options: LocalControlPlanesOptions): LocalCloudModel {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(
    new StatefulStack(app, 'TestStateful', { config: stageConfig('sandbox') }),
  );
  const pools = Object.entries(template.findResources('AWS::Cognito::UserPool'));
  const [pool] = pools;
  if (!pool || pools.length !== 1) throw new Error('the stateful stack should define exactly one user pool');
  const groups = Object.entries(template.findResources('AWS::Cognito::UserPoolGroup')).map(([id, group]) =>
    resource(id, 'AWS::Cognito::UserPoolGroup', String(group.Properties.GroupName), {
      ...group.Properties,
      UserPoolId: options.userPoolId,
    }),
  );
  // The resource servers too, so machine clients get the scopes the stack declares (`events/write`).
  const resourceServers = Object.entries(template.findResources('AWS::Cognito::UserPoolResourceServer')).map(
    ([id, server]) =>
      resource(id, 'AWS::Cognito::UserPoolResourceServer', String(server.Properties.Identifier), {
        ...server.Properties,
        UserPoolId: options.userPoolId,
      }),
  );
  return {
    region: 'us-east-1',
    accountId: '123456789012',
    resources: [
      resource(pool[0], 'AWS::Cognito::UserPool', options.userPoolId, pool[1].Properties),
      ...groups,
      ...resourceServers,
      ...options.usagePlans.map((plan) =>
        resource(`Plan${plan.id}`, 'AWS::ApiGateway::UsagePlan', plan.id, {
          UsagePlanName: plan.name,
          ...plan.properties,
        }),
      ),
    ],
  };
}

/**
 * Starts the local identity server and the API Gateway control plane on free loopback ports and points the AWS
 * SDK at them through AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER and AWS_ENDPOINT_URL_API_GATEWAY, as the local
 * cloud does for deployed handlers. Call it before the handler under test sends its first request (the SDK
 * resolves those variables then, not when the client is created).
 */
export async function startLocalControlPlanes(
  options: LocalControlPlanesOptions,
): Promise<LocalControlPlanes> {
  const model = controlPlaneModel(options);
  const identity: LocalIdentity = await createIdentityServer();
  identity.registerModel(model);
  const apiKeys = ApiKeyStore.fromModel(model);
  const stageCaches = new StageCaches();
  if (options.restStage) stageCaches.registerStage(options.restStage.restApiId, options.restStage.stageName);
  const authorizerCaches = new AuthorizerCaches();
  const meter = new UsageMeter();
  const control: ApiGatewayControlServer = createApiGatewayControlServer({
    apiKeys,
    stageCaches,
    authorizerCaches,
    meter,
    log: () => undefined,
  });
  process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = identity.endpoint;
  process.env.AWS_ENDPOINT_URL_API_GATEWAY = await control.listen(0);
  const userPool = identity.pool(options.userPoolId);
  return {
    userPool,
    apiKeys,
    authorizerCaches,
    meter,
    userByEmail: (email) => userPool.listUsers(`email = "${email}"`)[0],
    keysNamed: (name) => apiKeys.listApiKeys(name).filter((key) => key.name === name),
    plansOf: (keyId) =>
      apiKeys
        .listUsagePlans()
        .filter((plan) => apiKeys.usagePlanKeys(plan.id).some((key) => key.id === keyId))
        .map((plan) => plan.id),
    async stop() {
      delete process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
      delete process.env.AWS_ENDPOINT_URL_API_GATEWAY;
      await control.close();
      await identity.close();
    },
  };
}
