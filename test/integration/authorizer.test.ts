import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DEFAULT_TEST_TENANT_ID,
  type JwtIssuer,
  type MintOptions,
  startJwtIssuer,
} from '../../local/test/support/jwt-issuer';
import { readAuthorizerConfig } from '../../services/authorizer/config';
import { createAuthorizerHandler } from '../../services/authorizer/handler';
import { CorruptItemError } from '../../shared/codecs/stored-item';
import { documentClient } from '../../shared/dynamo';
import { tenantKeys } from '../../shared/keys/tenant-keys';
import { userKeys } from '../../shared/keys/user-keys';
import { logger } from '../../shared/logger';
import { type DynamoEngine, startDynamo } from '../support/dynamo-engine';
import { putTenantProfile } from '../support/tenant-profiles';
import { TEST_ENV } from '../support/test-env';

type Handler = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** The handler as the stack configures it, pointed at the test issuer (its URLs are known once it started). */
const handlerFor = (jwksUri = issuer.jwksUri): Handler =>
  createAuthorizerHandler(readAuthorizerConfig({ ...TEST_ENV, ISSUER: issuer.issuer, JWKS_URI: jwksUri }));

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/orders';
const PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/';
const ACTIVE_TENANT = DEFAULT_TEST_TENANT_ID;
const SUSPENDED_TENANT = 'tsuspended0000001';
const ONBOARDING_TENANT = 'tonboarding000001';
const UNKNOWN_TENANT = 'tnoprofile0000001';
const API_KEY_VALUE = 'activeTenantApiKeyValue0123456789abcdef';

let engine: DynamoEngine;
let issuer: JwtIssuer;
let handler: Handler;

beforeAll(async () => {
  engine = await startDynamo();
  issuer = await startJwtIssuer();
  handler = handlerFor();
  await putTenantProfile(ACTIVE_TENANT, 'ACTIVE', { tier: 'premium', apiKeyValue: API_KEY_VALUE });
  await putTenantProfile(SUSPENDED_TENANT, 'SUSPENDED', { tier: 'premium' });
  await putTenantProfile(ONBOARDING_TENANT, 'ONBOARDING', { tier: 'premium' });
});

afterAll(async () => {
  await issuer.stop();
  await engine.stop();
});

function tokenEvent(
  authorizationToken: string | undefined,
  methodArn = METHOD_ARN,
): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', methodArn, authorizationToken } as APIGatewayTokenAuthorizerEvent;
}

async function authorizeWith(
  mint: MintOptions = {},
  methodArn = METHOD_ARN,
): Promise<APIGatewayAuthorizerResult> {
  return handler(tokenEvent(`Bearer ${await issuer.mintIdToken(mint)}`, methodArn));
}

/**
 * API Gateway answers 401 only for an error whose message is exactly `Unauthorized`. The logged reason shows
 * the request was refused for the reason under test, not some earlier one.
 */
async function expectRejected(call: () => Promise<unknown>, reason: RegExp): Promise<void> {
  const warn = jest.spyOn(logger, 'warn');
  try {
    await expect(call()).rejects.toThrow(/^Unauthorized$/);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toEqual(
      expect.objectContaining({ reason: expect.stringMatching(reason) }),
    );
  } finally {
    warn.mockRestore();
  }
}

const now = () => Math.floor(Date.now() / 1000);

describe("the Lambda TOKEN authorizer and the tenant's user directory", () => {
  const directoryUser = (userId: string, fields: Record<string, unknown>) =>
    documentClient.send(
      new PutCommand({
        TableName: TEST_ENV.TABLE_NAME,
        Item: {
          ...userKeys.user(ACTIVE_TENANT, userId),
          userId,
          email: `${userId}@example.com`,
          role: 'member',
          enabled: true,
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          ...fields,
        },
      }),
    );

  it("refuses a disabled user's still-valid token", async () => {
    await directoryUser('disabled-sub', { enabled: false });
    await expectRejected(() => authorizeWith({ claims: { sub: 'disabled-sub' } }), /disabled or deleted/);
  });

  it("refuses a deleted user's still-valid token (its tombstone)", async () => {
    await directoryUser('deleted-sub', {
      enabled: false,
      deletedAt: '2026-01-02T00:00:00.000Z',
      expiresAt: now() + 3600,
    });
    await expectRejected(() => authorizeWith({ claims: { sub: 'deleted-sub' } }), /disabled or deleted/);
  });

  it("takes the role from the directory, not the token's immutable custom:role (a demoted admin is a member)", async () => {
    await directoryUser('demoted-sub', { role: 'member' });
    const result = await authorizeWith({ claims: { sub: 'demoted-sub', 'custom:role': 'admin' } });
    expect(result.context).toMatchObject({ userId: 'demoted-sub', role: 'member' });
  });

  it('judges a user the directory does not know by its token alone', async () => {
    const result = await authorizeWith({ claims: { sub: 'unlisted-sub', 'custom:role': 'admin' } });
    expect(result.context).toMatchObject({ userId: 'unlisted-sub', role: 'admin' });
  });
});

describe('the Lambda TOKEN authorizer', () => {
  describe('admits a verified member of an active tenant', () => {
    it('with its sub as principal and an Allow on every route its role may call', async () => {
      const result = await authorizeWith({ claims: { sub: 'user-sub-1' } });
      expect(result.principalId).toBe('user-sub-1');
      expect(result.policyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Resource: [
              'GET/orders',
              'POST/orders',
              'GET/orders/*',
              'PATCH/orders/*',
              'DELETE/orders/*',
              'GET/jobs',
              'POST/jobs',
              'GET/jobs/*',
              'POST/events',
              'GET/partner-clients',
              'POST/partner-clients',
              'GET/users',
              'POST/users',
              'GET/users/*',
              'PATCH/users/*',
              'DELETE/users/*',
              'GET/usage',
              'GET/audit',
            ].map((route) => `${PREFIX}${route}`),
          },
        ],
      });
    });

    it('with a string-only context of tenant, user, role and tier', async () => {
      const result = await authorizeWith({ claims: { sub: 'user-sub-2', 'custom:role': 'admin' } });
      expect(result.context).toEqual({
        tenantId: ACTIVE_TENANT,
        userId: 'user-sub-2',
        role: 'admin',
        tier: 'premium',
      });
    });

    it("with the tenant's own API key as usageIdentifierKey", async () => {
      const result = await authorizeWith();
      expect(result.usageIdentifierKey).toBe(API_KEY_VALUE);
    });

    it('reuses the JWKS it fetched instead of fetching it per invocation', async () => {
      await authorizeWith();
      const fetched = issuer.jwksRequests;
      await authorizeWith();
      await authorizeWith();
      expect(fetched).toBeGreaterThan(0);
      expect(issuer.jwksRequests).toBe(fetched);
    });
  });

  describe('rejects with exactly Unauthorized (and logs why)', () => {
    it('a request without an Authorization header', async () => {
      await expectRejected(() => handler(tokenEvent(undefined)), /missing authorization header/);
    });

    it('an empty Authorization header', async () => {
      await expectRejected(() => handler(tokenEvent('')), /missing authorization header/);
    });

    it('a raw token without the Bearer scheme', async () => {
      const token = await issuer.mintIdToken();
      await expectRejected(() => handler(tokenEvent(token)), /not "Bearer <jwt>"/);
    });

    it('a Bearer header that does not hold a JWT', async () => {
      await expectRejected(() => handler(tokenEvent('Bearer not-a-jwt')), /not "Bearer <jwt>"/);
    });

    it('a validly signed token larger than 8 KB, before verifying it', async () => {
      const token = await issuer.mintIdToken({ claims: { padding: 'x'.repeat(8192) } });
      expect(token.length).toBeGreaterThan(8192);
      await expectRejected(() => handler(tokenEvent(`Bearer ${token}`)), /token too large/);
    });

    it('an unsigned token (alg none)', async () => {
      await expectRejected(() => authorizeWith({ algorithm: 'none' }), /3 parts/);
    });

    it('an unsigned token (alg none) with a signature part appended', async () => {
      const unsigned = await issuer.mintIdToken({ algorithm: 'none' });
      await expectRejected(
        () => handler(tokenEvent(`Bearer ${unsigned}c2lnbmF0dXJl`)),
        /algorithm not allowed: none/,
      );
    });

    it('an HMAC-signed token (alg HS256) under the real key id', async () => {
      await expectRejected(() => authorizeWith({ algorithm: 'HS256' }), /algorithm not allowed: HS256/);
    });

    it('a token signed by a key that is not in the JWKS', async () => {
      await expectRejected(() => authorizeWith({ foreignKey: true }), /Invalid signature/);
    });

    it('a token whose payload was changed after signing', async () => {
      const [header, , signature] = (await issuer.mintIdToken()).split('.');
      const forged = Buffer.from(
        JSON.stringify({ ...issuer.defaultClaims(), 'custom:tenantId': 'totherstenant0001' }),
      ).toString('base64url');
      await expectRejected(
        () => handler(tokenEvent(`Bearer ${header}.${forged}.${signature}`)),
        /Invalid signature/,
      );
    });

    it('a token with an unknown key id', async () => {
      await expectRejected(
        () => authorizeWith({ header: { kid: 'not-a-published-key' } }),
        /not found in the JWKS/,
      );
    });

    it('a token without a key id', async () => {
      await expectRejected(() => authorizeWith({ header: { kid: undefined } }), /valid kid/);
    });

    it('an expired token', async () => {
      const claims = { iat: now() - 7200, auth_time: now() - 7200, exp: now() - 60 };
      await expectRejected(() => authorizeWith({ claims }), /Token expired/);
    });

    it('a token that is not valid yet (nbf in the future)', async () => {
      await expectRejected(() => authorizeWith({ claims: { nbf: now() + 600 } }), /can't be used before/);
    });

    it('a token issued far in the future (iat)', async () => {
      const claims = { iat: now() + 3600, exp: now() + 7200 };
      await expectRejected(() => authorizeWith({ claims }), /issued in the future/);
    });

    it('a token without an exp claim', async () => {
      await expectRejected(() => authorizeWith({ claims: { exp: undefined } }), /invalid claims: exp$/);
    });

    it('a token from another issuer', async () => {
      const iss = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool';
      await expectRejected(() => authorizeWith({ claims: { iss } }), /Issuer not allowed/);
    });

    it('a token for another app client (aud)', async () => {
      await expectRejected(
        () => authorizeWith({ claims: { aud: 'anotherclient0123456789ab' } }),
        /Audience not allowed/,
      );
    });

    it("a user's access token (client_id, no aud): only partners' access tokens with events/write pass", async () => {
      const claims = {
        token_use: 'access',
        aud: undefined,
        client_id: issuer.clientId,
        scope: 'aws.cognito.signin.user.admin',
      };
      await expectRejected(() => authorizeWith({ claims }), /invalid claims: scope$/);
    });

    it('a token whose token_use is not id, without what an access token has', async () => {
      await expectRejected(
        () => authorizeWith({ claims: { token_use: 'access' } }),
        /invalid claims: client_id, scope$/,
      );
    });

    it('a token without custom:tenantId', async () => {
      const claims = { 'custom:tenantId': undefined };
      await expectRejected(() => authorizeWith({ claims }), /invalid claims: custom:tenantId$/);
    });

    it.each([
      ['a key fragment', 'tabc#PROFILE'],
      ['upper case', 'TDEFAULTTENANT000'],
      ['a prefix of a real tenant id', 'tdefault'],
      ['a number', 12345],
    ])('a token whose custom:tenantId is %s', async (_what, tenantId) => {
      const claims = { 'custom:tenantId': tenantId };
      await expectRejected(() => authorizeWith({ claims }), /invalid claims: custom:tenantId$/);
    });

    it('a token without custom:role', async () => {
      await expectRejected(
        () => authorizeWith({ claims: { 'custom:role': undefined } }),
        /invalid claims: custom:role$/,
      );
    });

    it('a token with an unknown custom:role', async () => {
      await expectRejected(
        () => authorizeWith({ claims: { 'custom:role': 'owner' } }),
        /invalid claims: custom:role$/,
      );
    });

    it('a token without sub', async () => {
      await expectRejected(() => authorizeWith({ claims: { sub: undefined } }), /invalid claims: sub$/);
    });

    it('a member of a suspended tenant', async () => {
      const claims = { 'custom:tenantId': SUSPENDED_TENANT };
      await expectRejected(() => authorizeWith({ claims }), /tenant is not active/);
    });

    it('a member of a tenant that is still onboarding', async () => {
      const claims = { 'custom:tenantId': ONBOARDING_TENANT };
      await expectRejected(() => authorizeWith({ claims }), /tenant is not active/);
    });

    it('a member of a tenant that has no profile', async () => {
      const claims = { 'custom:tenantId': UNKNOWN_TENANT };
      await expectRejected(() => authorizeWith({ claims }), /tenant has no profile/);
    });
  });

  it('never logs the token it rejected', async () => {
    const warn = jest.spyOn(logger, 'warn');
    try {
      const token = await issuer.mintIdToken({ claims: { 'custom:role': 'owner' } });
      await expect(handler(tokenEvent(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
      const logged = JSON.stringify(warn.mock.calls);
      expect(logged).toContain('custom:role');
      for (const part of token.split('.')) expect(logged).not.toContain(part);
    } finally {
      warn.mockRestore();
    }
  });

  describe('fails with an error that is not Unauthorized (API Gateway answers 500)', () => {
    it('when DynamoDB is unavailable', async () => {
      const dynamo = mockClient(documentClient);
      dynamo.on(GetCommand).rejects(new Error('Service unavailable'));
      try {
        await expect(authorizeWith()).rejects.toThrow('Service unavailable');
      } finally {
        dynamo.restore();
      }
    });

    it.each([
      ['an active tenant has no API key', 'tactivenokey00001', { apiKeyValue: undefined }, 'apiKeyValue'],
      ['the stored tier is unknown (never read as basic)', 'tcorrupttier00001', { tier: 'gold' }, 'tier'],
      ['the stored status is unknown', 'tcorruptstatus001', { status: 'active' }, 'status'],
    ])(
      'when %s (corrupt profile), naming its key in the error and the log',
      async (_, tenantId, change, field) => {
        await putTenantProfile(tenantId, 'ACTIVE', { tier: 'premium' });
        const { Item } = await documentClient.send(
          new GetCommand({ TableName: TEST_ENV.TABLE_NAME, Key: tenantKeys.profile(tenantId) }),
        );
        await documentClient.send(
          new PutCommand({ TableName: TEST_ENV.TABLE_NAME, Item: { ...Item, ...change } }),
        );
        const logged = jest.spyOn(logger, 'error');
        try {
          const outcome = authorizeWith({ claims: { 'custom:tenantId': tenantId } });
          await expect(outcome).rejects.toBeInstanceOf(CorruptItemError);
          await expect(outcome).rejects.toThrow(new RegExp(`${tenantKeys.profile(tenantId).PK}.*${field}`));
          expect(logged).toHaveBeenCalledWith(
            'authorizer fault',
            expect.objectContaining({ key: tenantKeys.profile(tenantId), entity: 'tenant profile' }),
          );
        } finally {
          logged.mockRestore();
        }
      },
    );

    it('when the methodArn is malformed', async () => {
      await expect(authorizeWith({}, 'arn:aws:lambda:us-east-1:123456789012:function:x')).rejects.toThrow(
        /malformed methodArn/,
      );
    });

    it('when the JWKS cannot be fetched', async () => {
      const misconfigured = handlerFor(`${issuer.issuer}/no-such-jwks.json`);
      const token = await issuer.mintIdToken();
      await expect(misconfigured(tokenEvent(`Bearer ${token}`))).rejects.toThrow(/JWKS fetch .* 404/);
    });
  });
});
