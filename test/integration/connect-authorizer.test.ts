import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { awsEvent } from '../../local/test/support/aws-events';
import { DEFAULT_TEST_TENANT_ID, type JwtIssuer, startJwtIssuer } from '../../local/test/support/jwt-issuer';
import { readConnectAuthorizerConfig } from '../../services/connect-authorizer/config';
import {
  type ConnectAuthorizerHandler,
  createConnectAuthorizerHandler,
} from '../../services/connect-authorizer/handler';
import { logger } from '../../shared/logger';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { type LocalControlPlanes, startLocalControlPlanes } from '../support/local-control-planes';
import { putTenantProfile } from '../support/tenant-profiles';
import { TEST_ENV } from '../support/test-env';

jest.setTimeout(30_000);

const SUSPENDED_TENANT = 'tsuspended0000001';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/$connect';

let engine: DynamoEngine;
let issuer: JwtIssuer;
let planes: LocalControlPlanes;
let cognito: CognitoIdentityProviderClient;
let handler: ConnectAuthorizerHandler;

/** A user of the (local) pool, as onboarding creates them; its `sub` is what tokens carry. */
function createUser(email: string, tenantId = DEFAULT_TEST_TENANT_ID): string {
  return planes.userPool.createUser({
    username: email,
    attributes: [
      { Name: 'email', Value: email },
      { Name: 'custom:tenantId', Value: tenantId },
      { Name: 'custom:role', Value: 'member' },
    ],
  }).sub;
}

beforeAll(async () => {
  engine = await startDynamo();
  issuer = await startJwtIssuer();
  planes = await startLocalControlPlanes({ userPoolId: TEST_ENV.USER_POOL_ID, usagePlans: [] });
  cognito = new CognitoIdentityProviderClient({});
  handler = createConnectAuthorizerHandler(
    readConnectAuthorizerConfig({ ...TEST_ENV, ISSUER: issuer.issuer, JWKS_URI: issuer.jwksUri }),
    cognito,
  );
  await putTenantProfile(DEFAULT_TEST_TENANT_ID, 'ACTIVE');
  await putTenantProfile(SUSPENDED_TENANT, 'SUSPENDED');
});

afterAll(async () => {
  cognito?.destroy();
  await planes?.stop();
  await issuer?.stop();
  await engine?.stop();
});

/** The `$connect` authorizer event as API Gateway builds it (the capture), with `?token=`. */
function connectEvent(token: string | undefined): APIGatewayRequestAuthorizerEvent {
  const capture = awsEvent<APIGatewayRequestAuthorizerEvent>('websocket_connect-authorizer-request.json');
  const query = token === undefined ? {} : { token };
  return {
    ...capture,
    methodArn: METHOD_ARN,
    queryStringParameters: query,
    multiValueQueryStringParameters: token === undefined ? {} : { token: [token] },
  };
}

async function expectRefused(token: string | undefined, reason: RegExp): Promise<void> {
  const warn = jest.spyOn(logger, 'warn');
  try {
    await expect(handler(connectEvent(token))).rejects.toThrow(/^Unauthorized$/);
    expect(warn.mock.calls.at(-1)?.[1]).toEqual(
      expect.objectContaining({ reason: expect.stringMatching(reason) }),
    );
  } finally {
    warn.mockRestore();
  }
}

describe('the WebSocket $connect authorizer', () => {
  it('admits a verified, existing user of an active tenant with an Allow on this $connect and its context', async () => {
    const sub = createUser('member-ok@example.com');
    const exp = Math.floor(Date.now() / 1000) + 1800;

    const result = await handler(connectEvent(await issuer.mintIdToken({ claims: { sub, exp } })));

    expect(result).toEqual({
      principalId: sub,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: METHOD_ARN }],
      },
      context: { tenantId: DEFAULT_TEST_TENANT_ID, userId: sub, role: 'member', tokenExpiresAt: String(exp) },
    });
  });

  it('refuses a handshake without a token', async () => {
    await expectRefused(undefined, /missing token/);
  });

  it('refuses an expired token', async () => {
    const sub = createUser('member-expired@example.com');
    const token = await issuer.mintIdToken({ claims: { sub, exp: Math.floor(Date.now() / 1000) - 60 } });
    await expectRefused(token, /expired/i);
  });

  it("refuses another app client's token", async () => {
    const sub = createUser('member-otherapp@example.com');
    await expectRefused(await issuer.mintIdToken({ claims: { sub, aud: 'another-app-client' } }), /aud/i);
  });

  it('refuses a token whose user was deleted since it was issued', async () => {
    const sub = createUser('member-deleted@example.com');
    const token = await issuer.mintIdToken({ claims: { sub } });
    planes.userPool.deleteUser('member-deleted@example.com');
    await expectRefused(token, /deleted or disabled/);
  });

  it('refuses a member of a suspended tenant, as the REST authorizer does', async () => {
    const sub = createUser('member-suspended@example.com', SUSPENDED_TENANT);
    const token = await issuer.mintIdToken({ claims: { sub, 'custom:tenantId': SUSPENDED_TENANT } });
    await expectRefused(token, /not active/);
  });

  it('refuses a token that is not a JWT, or over the size cap, before verifying anything', async () => {
    await expectRefused('not-a-jwt', /not a JWT/);
    await expectRefused(`a.${'b'.repeat(9000)}.c`, /too large/);
  });
});
