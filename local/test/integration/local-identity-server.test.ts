import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  InvalidParameterException,
  ListUsersCommand,
  NotAuthorizedException,
  ResourceNotFoundException,
  RespondToAuthChallengeCommand,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createIdentityServer, issuerUrlFor, type LocalIdentity } from '../../identity/identity-server';
import type { LocalCloudModel } from '../../model';
import { resourcesIn } from '../support/model-resource';

const POOL_ID = 'us-east-1_LocalPool1';
const CLIENT_ID = 'localclient0000000000000001';
const SRP_ONLY_CLIENT_ID = 'localclient0000000000000002';
const TENANT = 'tnt_0123456789abc';

const resource = resourcesIn('IdentityTest');

/** A pool as the CDK synthesizes it: sign-in by email, immutable custom attributes, two groups, two clients. */
const model: LocalCloudModel = {
  region: 'us-east-1',
  accountId: '111122223333',
  resources: [
    resource('UserPool', 'AWS::Cognito::UserPool', POOL_ID, {
      UsernameAttributes: ['email'],
      Schema: [
        { Name: 'email', Mutable: true, Required: true },
        {
          Name: 'tenantId',
          AttributeDataType: 'String',
          Mutable: false,
          StringAttributeConstraints: { MinLength: '17', MaxLength: '17' },
        },
        { Name: 'nickname', Mutable: true },
      ],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    }),
    resource('AdminGroup', 'AWS::Cognito::UserPoolGroup', 'admin', {
      UserPoolId: POOL_ID,
      GroupName: 'admin',
    }),
    resource('MemberGroup', 'AWS::Cognito::UserPoolGroup', 'member', {
      UserPoolId: POOL_ID,
      GroupName: 'member',
    }),
    resource('CliClient', 'AWS::Cognito::UserPoolClient', CLIENT_ID, {
      UserPoolId: POOL_ID,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      IdTokenValidity: 30,
      AccessTokenValidity: 60,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'days' },
    }),
    resource('SpaClient', 'AWS::Cognito::UserPoolClient', SRP_ONLY_CLIENT_ID, {
      UserPoolId: POOL_ID,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  ],
};

const PASSWORD = 'Correct-Horse-9-Battery';
let identity: LocalIdentity;
let cognito: CognitoIdentityProviderClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-identity-'));
  identity = await createIdentityServer({ dataDir });
  identity.registerModel(model);
  // The SDK finds the local endpoint the way a deployed handler's SDK would find AWS: from the environment.
  process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = identity.endpoint;
  cognito = new CognitoIdentityProviderClient({ region: 'us-east-1' });
});

afterAll(async () => {
  cognito.destroy();
  delete process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  await identity.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function createUser(email: string, attributes: { Name: string; Value: string }[] = []) {
  return cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: POOL_ID,
      Username: email,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: 'Temporary-Pass-1',
      UserAttributes: [{ Name: 'custom:tenantId', Value: TENANT }, ...attributes],
    }),
  );
}

describe('local identity server with the real Cognito SDK client', () => {
  it('creates a user in FORCE_CHANGE_PASSWORD with a generated sub as user name when the pool signs in by email', async () => {
    const created = await createUser('ada@example.com', [{ Name: 'email_verified', Value: 'true' }]);
    expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    const sub = created.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
    expect(created.User?.Username).toBe(sub);

    const fetched = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'ada@example.com' }),
    );
    expect(fetched.Username).toBe(sub);
    expect(fetched.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'email', Value: 'ada@example.com' },
        { Name: 'custom:tenantId', Value: TENANT },
      ]),
    );
    expect(fetched.UserCreateDate).toBeInstanceOf(Date);
  });

  it('answers UsernameExistsException for a second user with the same email', async () => {
    await createUser('dup@example.com');
    await expect(createUser('dup@example.com')).rejects.toBeInstanceOf(UsernameExistsException);
  });

  it('rejects a custom attribute the template does not declare', async () => {
    await expect(createUser('stray@example.com', [{ Name: 'custom:plan', Value: 'gold' }])).rejects.toThrow(
      InvalidParameterException,
    );
  });

  it('rejects a custom attribute value outside its length constraints', async () => {
    await expect(
      cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL_ID,
          Username: 'short@example.com',
          UserAttributes: [{ Name: 'custom:tenantId', Value: 'too-short' }],
        }),
      ),
    ).rejects.toThrow(/no shorter than 17/);
  });

  it('refuses to change an immutable attribute but updates a mutable one', async () => {
    await createUser('grace@example.com');
    await expect(
      cognito.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: POOL_ID,
          Username: 'grace@example.com',
          UserAttributes: [{ Name: 'custom:tenantId', Value: 'tnt_zzzzzzzzzzzzz' }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);

    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: POOL_ID,
        Username: 'grace@example.com',
        UserAttributes: [{ Name: 'nickname', Value: 'amazing' }],
      }),
    );
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'grace@example.com' }),
    );
    expect(user.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'nickname', Value: 'amazing' },
        { Name: 'custom:tenantId', Value: TENANT },
      ]),
    );
  });

  it('adds a user to a template group and lists it, and refuses a group the template lacks', async () => {
    await createUser('linus@example.com');
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: POOL_ID,
        Username: 'linus@example.com',
        GroupName: 'admin',
      }),
    );
    const groups = await cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: POOL_ID, Username: 'linus@example.com' }),
    );
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['admin']);
    await expect(
      cognito.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: POOL_ID,
          Username: 'linus@example.com',
          GroupName: 'owners',
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers UserNotFoundException for an unknown user and after deletion', async () => {
    await expect(
      cognito.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'nobody@example.com' })),
    ).rejects.toBeInstanceOf(UserNotFoundException);
    await createUser('gone@example.com');
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: POOL_ID, Username: 'gone@example.com' }));
    await expect(
      cognito.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'gone@example.com' })),
    ).rejects.toBeInstanceOf(UserNotFoundException);
  });

  it('lists users matching an email filter', async () => {
    await createUser('filter-me@example.com');
    const listed = await cognito.send(
      new ListUsersCommand({ UserPoolId: POOL_ID, Filter: 'email = "filter-me@example.com"' }),
    );
    expect(listed.Users).toHaveLength(1);
    expect(listed.Users?.[0]?.Attributes).toContainEqual({ Name: 'email', Value: 'filter-me@example.com' });
  });

  it('signs in with USER_PASSWORD_AUTH after a permanent password and returns Cognito-shaped tokens', async () => {
    await createUser('barbara@example.com');
    await cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: POOL_ID,
        Username: 'barbara@example.com',
        GroupName: 'member',
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: POOL_ID,
        Username: 'barbara@example.com',
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    const auth = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: CLIENT_ID,
        AuthParameters: { USERNAME: 'barbara@example.com', PASSWORD },
      }),
    );
    const idToken = auth.AuthenticationResult?.IdToken ?? '';
    const accessToken = auth.AuthenticationResult?.AccessToken ?? '';
    expect(auth.AuthenticationResult?.TokenType).toBe('Bearer');
    expect(auth.AuthenticationResult?.ExpiresIn).toBe(3600);

    const jwks = (await (await fetch(`${identity.issuerUrl(POOL_ID)}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string; alg: string }[];
    };
    const keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    const issuer = issuerUrlFor(identity.port, POOL_ID);
    const id = await jwtVerify(idToken, keySet, { issuer, audience: CLIENT_ID, algorithms: ['RS256'] });
    expect(decodeProtectedHeader(idToken)).toEqual({ kid: jwks.keys[0]?.kid, alg: 'RS256' });
    expect(id.payload).toMatchObject({
      token_use: 'id',
      email: 'barbara@example.com',
      'custom:tenantId': TENANT,
      'cognito:groups': ['member'],
    });
    expect(id.payload['cognito:username']).toBe(id.payload.sub);
    expect((id.payload.exp ?? 0) - (id.payload.iat ?? 0)).toBe(30 * 60);

    const access = await jwtVerify(accessToken, keySet, { issuer, algorithms: ['RS256'] });
    expect(access.payload).toMatchObject({
      token_use: 'access',
      client_id: CLIENT_ID,
      scope: 'aws.cognito.signin.user.admin',
      username: id.payload.sub,
      'cognito:groups': ['member'],
      origin_jti: id.payload.origin_jti,
    });
    expect(access.payload.aud).toBeUndefined();

    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: CLIENT_ID,
        AuthParameters: { REFRESH_TOKEN: auth.AuthenticationResult?.RefreshToken ?? '' },
      }),
    );
    expect(refreshed.AuthenticationResult?.IdToken).toEqual(expect.any(String));
  });

  it('challenges a user with a temporary password and signs them in once they set a new one', async () => {
    await createUser('temp@example.com');
    const first = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: CLIENT_ID,
        AuthParameters: { USERNAME: 'temp@example.com', PASSWORD: 'Temporary-Pass-1' },
      }),
    );
    expect(first.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const answered = await cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: CLIENT_ID,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: first.Session,
        ChallengeResponses: { USERNAME: 'temp@example.com', NEW_PASSWORD: PASSWORD },
      }),
    );
    expect(answered.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'temp@example.com' }),
    );
    expect(user.UserStatus).toBe('CONFIRMED');
  });

  it('refuses a wrong password and a client that does not allow USER_PASSWORD_AUTH', async () => {
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: CLIENT_ID,
          AuthParameters: { USERNAME: 'barbara@example.com', PASSWORD: 'Wrong-Password-1' },
        }),
      ),
    ).rejects.toBeInstanceOf(NotAuthorizedException);
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: SRP_ONLY_CLIENT_ID,
          AuthParameters: { USERNAME: 'barbara@example.com', PASSWORD },
        }),
      ),
    ).rejects.toThrow(/USER_PASSWORD_AUTH flow not enabled/);
  });

  it('rejects a password that breaks the pool policy', async () => {
    await createUser('weak@example.com');
    await expect(
      cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: POOL_ID,
          Username: 'weak@example.com',
          Password: 'short',
          Permanent: true,
        }),
      ),
    ).rejects.toThrow(/Password does not conform to policy/);
  });

  it('serves the OpenID configuration of each pool at its issuer', async () => {
    const response = await fetch(`${identity.issuerUrl(POOL_ID)}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const config = (await response.json()) as { issuer: string; jwks_uri: string };
    expect(config.issuer).toBe(`http://127.0.0.1:${identity.port}/${POOL_ID}`);
    expect(config.jwks_uri).toBe(`${config.issuer}/.well-known/jwks.json`);
    expect((await fetch(`${identity.endpoint}/us-east-1_Unknown/.well-known/jwks.json`)).status).toBe(404);
  });

  it('keeps keys and users across a restart when a data dir is set', async () => {
    await createUser('persisted@example.com');
    const kid = identity.jwks(POOL_ID)?.keys[0]?.kid;
    const restarted = await createIdentityServer({ dataDir });
    try {
      restarted.registerModel(model);
      expect(restarted.jwks(POOL_ID)?.keys[0]?.kid).toBe(kid);
      expect(restarted.pool(POOL_ID).findUser('persisted@example.com')?.attributes['custom:tenantId']).toBe(
        TENANT,
      );
    } finally {
      await restarted.close();
    }
  });

  it('mints tokens directly for seeding, through a client of the same pool only', async () => {
    await createUser('seeded@example.com');
    const tokens = identity.mintTokens({
      userPoolId: POOL_ID,
      clientId: CLIENT_ID,
      username: 'seeded@example.com',
    });
    expect(tokens.idToken.split('.')).toHaveLength(3);
    expect(() =>
      identity.mintTokens({
        userPoolId: POOL_ID,
        clientId: 'unknown-client',
        username: 'seeded@example.com',
      }),
    ).toThrow(/does not exist/);
  });
});
