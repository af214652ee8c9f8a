import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  InvalidOAuthFlowException,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ResourceNotFoundException,
  ScopeDoesNotExistException,
} from '@aws-sdk/client-cognito-identity-provider';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { LocalCloud } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

let served: CloudOnApp | undefined;
let cloud: LocalCloud;
let idp: CognitoIdentityProviderClient;
let outputs: Record<string, string>;

/**
 * A machine-to-machine app as public CDK examples write it: a pool with a Cognito domain, a resource server with
 * an `events/write` scope, a confidential client allowed client credentials for it, and a REST API whose Cognito
 * authorizer requires the scope. Its README takes the ids from the stack outputs.
 */
function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'M2mApp', { env: { region: 'eu-west-1', account: '111122223333' } });
  const pool = new cognito.UserPool(stack, 'Pool', { userPoolName: 'm2m-pool' });
  const domain = pool.addDomain('Domain', { cognitoDomain: { domainPrefix: 'm2m-example' } });
  const write = new cognito.ResourceServerScope({ scopeName: 'write', scopeDescription: 'post events' });
  const read = new cognito.ResourceServerScope({ scopeName: 'read', scopeDescription: 'read events' });
  const server = pool.addResourceServer('Events', { identifier: 'events', scopes: [write, read] });
  const machine = pool.addClient('Machine', {
    generateSecret: true,
    oAuth: {
      flows: { clientCredentials: true },
      scopes: [cognito.OAuthScope.resourceServer(server, write)],
    },
  });
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'v1' } });
  const authorizer = new apigw.CognitoUserPoolsAuthorizer(stack, 'Authorizer', { cognitoUserPools: [pool] });
  api.root.addResource('events').addMethod(
    'POST',
    new apigw.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 202}' },
      integrationResponses: [
        { statusCode: '202', responseTemplates: { 'application/json': '{"accepted":true}' } },
      ],
    }),
    {
      authorizer,
      authorizationType: apigw.AuthorizationType.COGNITO,
      authorizationScopes: ['events/write'],
      methodResponses: [{ statusCode: '202' }],
    },
  );
  new CfnOutput(stack, 'UserPoolId', { value: pool.userPoolId });
  new CfnOutput(stack, 'MachineClientId', { value: machine.userPoolClientId });
  new CfnOutput(stack, 'DomainUrl', { value: domain.baseUrl() });
  new CfnOutput(stack, 'ApiUrl', { value: api.url });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-identity-m2m', synth, {
    region: 'eu-west-1',
  });
  cloud = served.cloud;
  outputs = cloud.model.outputs?.M2mApp ?? {};
  idp = new CognitoIdentityProviderClient({ region: 'eu-west-1', endpoint: cloud.identity.endpoint });
  // Synth and start outrun the default hook timeout when the shared machine is busy.
}, 120_000);

afterAll(async () => {
  idp.destroy();
  await served?.close();
});

async function machineSecret(clientId: string): Promise<string> {
  const described = await idp.send(
    new DescribeUserPoolClientCommand({ UserPoolId: outputs.UserPoolId, ClientId: clientId }),
  );
  return described.UserPoolClient?.ClientSecret ?? '';
}

async function token(clientId: string, secret: string, scope?: string) {
  const response = await fetch(`${outputs.DomainUrl}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('client credentials on a local Cognito domain', () => {
  it('resolves the stack outputs to local values: the domain URL is the local identity server', () => {
    expect(outputs.DomainUrl).toBe(cloud.identity.endpoint);
    expect(outputs.UserPoolId).toMatch(/^eu-west-1_/);
    expect(outputs.MachineClientId).toEqual(expect.any(String));
  });

  it('finds the pool and the client as a public example does: ListUserPools, DescribeUserPool, ListUserPoolClients', async () => {
    const pools = await idp.send(new ListUserPoolsCommand({ MaxResults: 10 }));
    expect(pools.UserPools).toContainEqual(
      expect.objectContaining({ Id: outputs.UserPoolId, Name: 'm2m-pool' }),
    );
    const pool = await idp.send(new DescribeUserPoolCommand({ UserPoolId: outputs.UserPoolId }));
    expect(pool.UserPool).toMatchObject({ Id: outputs.UserPoolId, Domain: 'm2m-example' });
    const clients = await idp.send(new ListUserPoolClientsCommand({ UserPoolId: outputs.UserPoolId }));
    expect(clients.UserPoolClients?.map((client) => client.ClientId)).toContain(outputs.MachineClientId);
  });

  it('issues an access token with the scope and client_id, signed by the pool, that the scoped method accepts', async () => {
    const clientId = outputs.MachineClientId ?? '';
    const answer = await token(clientId, await machineSecret(clientId));
    expect(answer).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3600 } });
    const jwks = cloud.identity.jwks(outputs.UserPoolId ?? '');
    const { payload } = await jwtVerify(
      String(answer.body.access_token),
      createLocalJWKSet({ keys: [...(jwks?.keys ?? [])] }),
      { issuer: cloud.identity.issuerUrl(outputs.UserPoolId ?? '') },
    );
    expect(payload).toMatchObject({
      token_use: 'access',
      scope: 'events/write',
      client_id: clientId,
      sub: clientId,
    });

    const posted = await fetch(`${outputs.ApiUrl}events`, {
      method: 'POST',
      headers: { authorization: String(answer.body.access_token), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(posted.status).toBe(202);
  });

  it('refuses a wrong secret (invalid_client) and a scope the client was not given (invalid_scope)', async () => {
    const clientId = outputs.MachineClientId ?? '';
    expect(await token(clientId, 'not-the-secret')).toEqual({
      status: 400,
      body: { error: 'invalid_client' },
    });
    expect(await token(clientId, await machineSecret(clientId), 'events/delete')).toEqual({
      status: 400,
      body: { error: 'invalid_scope' },
    });
  });

  it('creates a machine client at run time (a partner per tenant), whose token works at once', async () => {
    const created = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: outputs.UserPoolId,
        ClientName: 'partner-tnt_0123456789abc-carrier',
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['events/write'],
        AllowedOAuthFlowsUserPoolClient: true,
      }),
    );
    const client = created.UserPoolClient;
    expect(client?.ClientSecret).toEqual(expect.any(String));
    const answer = await token(client?.ClientId ?? '', client?.ClientSecret ?? '', 'events/write');
    expect(answer.status).toBe(200);
  });

  it('refuses client credentials without a secret, and a scope no resource server defines', async () => {
    const base = {
      UserPoolId: outputs.UserPoolId,
      ClientName: 'bad',
      AllowedOAuthFlows: ['client_credentials' as const],
      AllowedOAuthFlowsUserPoolClient: true,
    };
    await expect(
      idp.send(new CreateUserPoolClientCommand({ ...base, AllowedOAuthScopes: ['events/write'] })),
    ).rejects.toThrow(InvalidOAuthFlowException);
    await expect(
      idp.send(
        new CreateUserPoolClientCommand({
          ...base,
          GenerateSecret: true,
          AllowedOAuthScopes: ['events/delete'],
        }),
      ),
    ).rejects.toThrow(ScopeDoesNotExistException);
  });

  it('deletes a machine client created at run time, and answers ResourceNotFoundException when it is deleted again', async () => {
    const created = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: outputs.UserPoolId,
        ClientName: 'partner-leaving',
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['events/write'],
        AllowedOAuthFlowsUserPoolClient: true,
      }),
    );
    const clientId = created.UserPoolClient?.ClientId ?? '';
    await idp.send(new DeleteUserPoolClientCommand({ UserPoolId: outputs.UserPoolId, ClientId: clientId }));
    await expect(
      idp.send(new DeleteUserPoolClientCommand({ UserPoolId: outputs.UserPoolId, ClientId: clientId })),
    ).rejects.toThrow(ResourceNotFoundException);
    expect(
      (await token(clientId, created.UserPoolClient?.ClientSecret ?? '', 'events/write')).status,
    ).not.toBe(200);
  });

  it("a valid access token without the method's scope is refused (401), as is no token at all", async () => {
    const created = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: outputs.UserPoolId,
        ClientName: 'reader',
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['events/read'],
        AllowedOAuthFlowsUserPoolClient: true,
      }),
    );
    const reader = await token(
      created.UserPoolClient?.ClientId ?? '',
      created.UserPoolClient?.ClientSecret ?? '',
    );
    expect(reader.status).toBe(200);
    for (const authorization of [String(reader.body.access_token), 'not-a-token']) {
      const posted = await fetch(`${outputs.ApiUrl}events`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(posted.status).toBe(401);
    }
  });
});
