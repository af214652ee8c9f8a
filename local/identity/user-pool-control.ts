import { randomBytes } from 'node:crypto';
import { CognitoError, invalidParameter } from './cognito-error';
import { clientOfPool, requiredString } from './cognito-request';
import type { ClientDefinition } from './user-pool-definitions';
import type { UserPoolStore } from './user-pool-store';

/** What the control-plane calls need from the identity server. */
export interface ControlPlaneBackend {
  pool(userPoolId: string): UserPoolStore;
  pools(): readonly UserPoolStore[];
  client(clientId: string): ClientDefinition;
  clientsOf(userPoolId: string): readonly ClientDefinition[];
  /** Registers a client created through the API; its id is new. */
  createClient(
    pool: UserPoolStore,
    properties: Record<string, unknown>,
    secret: string | undefined,
  ): ClientDefinition;
  /** Forgets a client created through the API; false for a template client (the template owns it). */
  deleteClient(pool: UserPoolStore, clientId: string): boolean;
}

type Body = Record<string, unknown>;

/** Scopes every pool has, besides its resource servers' `<identifier>/<scope>`. */
const STANDARD_SCOPES = new Set(['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']);

/** The scopes a pool knows: the standard ones and each resource server's. */
export function knownScopes(pool: UserPoolStore): Set<string> {
  const scopes = new Set(STANDARD_SCOPES);
  for (const server of pool.definition.resourceServers.values()) {
    for (const scope of server.scopes) scopes.add(`${server.identifier}/${scope.name}`);
  }
  return scopes;
}

function describeClient(client: ClientDefinition) {
  const props = client.properties;
  return {
    UserPoolId: client.userPoolId,
    ClientId: client.clientId,
    ...(client.clientName === undefined ? {} : { ClientName: client.clientName }),
    ...(client.clientSecret === undefined ? {} : { ClientSecret: client.clientSecret }),
    ExplicitAuthFlows: [...client.explicitAuthFlows],
    AllowedOAuthFlows: [...client.allowedOAuthFlows],
    AllowedOAuthScopes: [...client.allowedOAuthScopes],
    AllowedOAuthFlowsUserPoolClient: client.allowedOAuthFlows.size > 0,
    CallbackURLs: [...client.callbackUrls],
    LogoutURLs: [...client.logoutUrls],
    ...(Array.isArray(props.SupportedIdentityProviders)
      ? { SupportedIdentityProviders: props.SupportedIdentityProviders }
      : {}),
  };
}

/** Checks a CreateUserPoolClient request as Cognito does before it creates anything. */
function checkNewClient(pool: UserPoolStore, body: Body): void {
  const flows = Array.isArray(body.AllowedOAuthFlows) ? body.AllowedOAuthFlows.map(String) : [];
  const scopes = Array.isArray(body.AllowedOAuthScopes) ? body.AllowedOAuthScopes.map(String) : [];
  const known = knownScopes(pool);
  const unknown = scopes.find((scope) => !known.has(scope));
  if (unknown !== undefined)
    throw new CognitoError('ScopeDoesNotExistException', `Invalid scope requested: ${unknown}`);
  if (flows.includes('client_credentials')) {
    if (body.GenerateSecret !== true) {
      throw new CognitoError(
        'InvalidOAuthFlowException',
        'client_credentials flow can not be selected if client does not have a client secret.',
      );
    }
    if (flows.length > 1) {
      throw new CognitoError(
        'InvalidOAuthFlowException',
        'client_credentials flow can not be selected along with code flow or implicit flow.',
      );
    }
    if (scopes.some((scope) => STANDARD_SCOPES.has(scope))) {
      throw new CognitoError(
        'InvalidOAuthFlowException',
        'client_credentials flow can only be used with custom scopes.',
      );
    }
  }
  if (flows.length > 0 && body.AllowedOAuthFlowsUserPoolClient !== true) {
    throw invalidParameter('AllowedOAuthFlowsUserPoolClient must be true to use OAuth flows.');
  }
}

/**
 * The control-plane reads and writes clients and tools make against a pool: ListUserPools, DescribeUserPool,
 * Create/Describe/List/DeleteUserPoolClient, DescribeResourceServer/ListResourceServers.
 */
export function controlPlaneOperations(
  backend: ControlPlaneBackend,
): Record<string, (body: Body) => unknown> {
  return {
    ListUserPools: (body) => {
      if (typeof body.MaxResults !== 'number') {
        throw invalidParameter(
          "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must not be null",
        );
      }
      return {
        UserPools: backend
          .pools()
          .slice(0, body.MaxResults)
          .map((pool) => ({ Id: pool.definition.userPoolId, Name: pool.definition.name })),
      };
    },
    DescribeUserPool: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const { definition } = pool;
      return {
        UserPool: {
          Id: definition.userPoolId,
          Name: definition.name,
          Arn: definition.arn,
          UsernameAttributes: [...definition.usernameAttributes],
          AliasAttributes: [...definition.aliasAttributes],
          ...(definition.domain === undefined ? {} : { Domain: definition.domain }),
          EstimatedNumberOfUsers: pool.listUsers().length,
          Policies: {
            PasswordPolicy: {
              MinimumLength: definition.passwordPolicy.minimumLength,
              RequireLowercase: definition.passwordPolicy.requireLowercase,
              RequireUppercase: definition.passwordPolicy.requireUppercase,
              RequireNumbers: definition.passwordPolicy.requireNumbers,
              RequireSymbols: definition.passwordPolicy.requireSymbols,
            },
          },
        },
      };
    },
    CreateUserPoolClient: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      requiredString(body, 'ClientName');
      checkNewClient(pool, body);
      const secret =
        body.GenerateSecret === true ? randomBytes(38).toString('base64url').slice(0, 51) : undefined;
      return { UserPoolClient: describeClient(backend.createClient(pool, { ...body }, secret)) };
    },
    DescribeUserPoolClient: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const client = clientOfPool(pool, backend.client(requiredString(body, 'ClientId')));
      return { UserPoolClient: describeClient(client) };
    },
    ListUserPoolClients: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const limit = typeof body.MaxResults === 'number' ? body.MaxResults : 60;
      return {
        UserPoolClients: backend
          .clientsOf(pool.definition.userPoolId)
          .slice(0, limit)
          .map((client) => ({
            ClientId: client.clientId,
            UserPoolId: client.userPoolId,
            ...(client.clientName === undefined ? {} : { ClientName: client.clientName }),
          })),
      };
    },
    DeleteUserPoolClient: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      const clientId = requiredString(body, 'ClientId');
      // An unknown client (or one already deleted) is Cognito's ResourceNotFoundException, as for every client call.
      clientOfPool(pool, backend.client(clientId));
      if (!backend.deleteClient(pool, clientId)) {
        throw new CognitoError(
          'InvalidParameterException',
          `Client ${clientId} is declared by the template: the local cloud deletes it only with the template`,
        );
      }
      return {};
    },
    ListResourceServers: (body) => {
      const pool = backend.pool(requiredString(body, 'UserPoolId'));
      return {
        ResourceServers: [...pool.definition.resourceServers.values()].map((server) => ({
          UserPoolId: pool.definition.userPoolId,
          Identifier: server.identifier,
          Name: server.name,
          Scopes: server.scopes.map((scope) => ({
            ScopeName: scope.name,
            ScopeDescription: scope.description ?? '',
          })),
        })),
      };
    },
  };
}
