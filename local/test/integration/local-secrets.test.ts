import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { App, SecretValue, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { LOCAL_CREDENTIALS, startLocalCloud } from '../../local-cloud';
import { type CloudOnApp, startCloudOnApp } from '../support/cloud-on-app';

/**
 * Secrets Manager and Parameter Store in a small CDK app of our own: a TOKEN authorizer that reads the API keys
 * it accepts from a secret (the client resolves inside the function, the endpoint comes from the environment),
 * a generated secret kept across restarts under `--persist`, a parameter from the template, and the SDK calls an
 * app makes (create, put, describe, get by path).
 */
let served: CloudOnApp | undefined;
const persistDir = mkdtempSync(join(tmpdir(), 'local-secrets-persist-'));

function synth(cdkOut: string): void {
  const app = new App({ outdir: cdkOut });
  const stack = new Stack(app, 'SecretsApp', { env: { account: '123456789012', region: 'us-east-1' } });
  const keys = new secretsmanager.Secret(stack, 'ApiKeys', {
    secretName: 'secrets-app/api-keys',
    secretStringValue: SecretValue.unsafePlainText(JSON.stringify({ keys: ['key-alpha', 'key-beta'] })),
  });
  new secretsmanager.Secret(stack, 'DbPassword', {
    secretName: 'secrets-app/db',
    generateSecretString: {
      secretStringTemplate: JSON.stringify({ username: 'app' }),
      generateStringKey: 'password',
      excludePunctuation: true,
      passwordLength: 24,
    },
  });
  new ssm.StringParameter(stack, 'Greeting', {
    parameterName: '/secrets-app/greeting',
    stringValue: 'bonjour',
  });
  const authorizerFn = new lambda.Function(stack, 'KeyAuthorizer', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    environment: { KEYS_SECRET_ARN: keys.secretArn },
    code: lambda.Code.fromInline(`
      const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient({});
      exports.handler = async (event) => {
        const secret = await client.send(new GetSecretValueCommand({ SecretId: process.env.KEYS_SECRET_ARN }));
        const { keys } = JSON.parse(secret.SecretString);
        if (!keys.includes(event.authorizationToken)) throw new Error('Unauthorized');
        return {
          principalId: event.authorizationToken,
          policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
        };
      };`),
  });
  keys.grantRead(authorizerFn);
  const hello = new lambda.Function(stack, 'Hello', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`
      const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');
      const client = new SSMClient({});
      exports.handler = async () => {
        const { Parameter } = await client.send(new GetParameterCommand({ Name: '/secrets-app/greeting' }));
        return { statusCode: 200, body: Parameter.Value };
      };`),
  });
  const api = new apigw.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addResource('hello').addMethod('GET', new apigw.LambdaIntegration(hello), {
    authorizer: new apigw.TokenAuthorizer(stack, 'Authorizer', { handler: authorizerFn }),
  });
  app.synth();
}

beforeAll(async () => {
  served = await startCloudOnApp('local-secrets', synth, { persistDir });
}, 60_000);

afterAll(async () => {
  await served?.close();
  rmSync(persistDir, { recursive: true, force: true });
});

const secrets = () =>
  new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: served?.cloud.functionEnv.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    credentials: LOCAL_CREDENTIALS,
  });
const parameters = () =>
  new SSMClient({
    region: 'us-east-1',
    endpoint: served?.cloud.functionEnv.AWS_ENDPOINT_URL_SSM,
    credentials: LOCAL_CREDENTIALS,
  });
const call = (token?: string) =>
  fetch(`${served?.cloud.restApis[0]?.url}/hello`, token ? { headers: { authorization: token } } : {});

describe('a TOKEN authorizer reading API keys from Secrets Manager', () => {
  it('lets a key the secret lists through, to a function reading a parameter', async () => {
    const response = await call('key-beta');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('bonjour');
  });

  it('refuses a key the secret does not list with 401', async () => {
    expect((await call('key-gamma')).status).toBe(401);
  });

  it('accepts a key put into the secret afterwards (the authorizer cache aside)', async () => {
    const arn = served?.cloud.model.resources.find((r) => r.logicalId.startsWith('ApiKeys'))?.physicalId;
    await secrets().send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ keys: ['key-new'] }) }),
    );
    expect((await call('key-new')).status).toBe(200);
  });
});

describe('Secrets Manager', () => {
  it('generates a secret from GenerateSecretString into its template, with the options honoured', async () => {
    const { SecretString } = await secrets().send(new GetSecretValueCommand({ SecretId: 'secrets-app/db' }));
    const value = JSON.parse(SecretString ?? '{}') as { username: string; password: string };
    expect(value.username).toBe('app');
    expect(value.password).toMatch(/^[A-Za-z0-9]{24}$/);
  });

  it('keeps a generated secret across a restart under --persist', async () => {
    const before = await secrets().send(new GetSecretValueCommand({ SecretId: 'secrets-app/db' }));
    await served?.cloud.close();
    const cdkOut = served?.cdkOut ?? '';
    const again = await startLocalCloud({ cdkOut, port: 0, persistDir, log: { write: () => true } });
    try {
      const client = new SecretsManagerClient({
        region: 'us-east-1',
        endpoint: again.functionEnv.AWS_ENDPOINT_URL_SECRETS_MANAGER,
        credentials: LOCAL_CREDENTIALS,
      });
      const after = await client.send(new GetSecretValueCommand({ SecretId: 'secrets-app/db' }));
      expect(after.SecretString).toBe(before.SecretString);
    } finally {
      await again.close();
    }
    if (served) rmSync(served.work, { recursive: true, force: true });
    served = await startCloudOnApp('local-secrets', synth, { persistDir });
  }, 60_000);

  it('creates, describes and reads a secret the app makes', async () => {
    const created = await secrets().send(
      new CreateSecretCommand({ Name: 'made-by-app', SecretString: 's3cret' }),
    );
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:made-by-app-[A-Za-z0-9]{6}$/,
    );
    const described = await secrets().send(new DescribeSecretCommand({ SecretId: created.ARN }));
    expect(described.Name).toBe('made-by-app');
    const read = await secrets().send(new GetSecretValueCommand({ SecretId: 'made-by-app' }));
    expect(read.SecretString).toBe('s3cret');
  });

  it('answers ResourceNotFoundException for a secret that does not exist', async () => {
    await expect(secrets().send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('SSM Parameter Store', () => {
  it('serves the template parameter, and parameters put by the app by path', async () => {
    const { Parameter } = await parameters().send(new GetParameterCommand({ Name: '/secrets-app/greeting' }));
    expect(Parameter).toMatchObject({ Name: '/secrets-app/greeting', Type: 'String', Value: 'bonjour' });
    await parameters().send(
      new PutParameterCommand({ Name: '/secrets-app/feature/x', Value: 'on', Type: 'String' }),
    );
    const byPath = await parameters().send(
      new GetParametersByPathCommand({ Path: '/secrets-app', Recursive: true }),
    );
    expect(byPath.Parameters?.map((p) => p.Name)).toEqual([
      '/secrets-app/feature/x',
      '/secrets-app/greeting',
    ]);
    const shallow = await parameters().send(new GetParametersByPathCommand({ Path: '/secrets-app' }));
    expect(shallow.Parameters?.map((p) => p.Name)).toEqual(['/secrets-app/greeting']);
  });

  it('refuses to overwrite without Overwrite, and answers ParameterNotFound for a missing one', async () => {
    await expect(
      parameters().send(
        new PutParameterCommand({ Name: '/secrets-app/greeting', Value: 'hi', Type: 'String' }),
      ),
    ).rejects.toBeInstanceOf(ParameterAlreadyExists);
    await expect(parameters().send(new GetParameterCommand({ Name: '/nope' }))).rejects.toBeInstanceOf(
      ParameterNotFound,
    );
  });
});
