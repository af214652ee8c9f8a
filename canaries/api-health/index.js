/**
 * CloudWatch Synthetics canary (syn-nodejs-puppeteer, handler `index.handler`): three steps against the
 * deployed stage, each a Synthetics step so a failing one is named in the run report. `Synthetics` and the
 * AWS SDK v3 clients come with the runtime. The checks themselves are in checks.js.
 */
const synthetics = require('Synthetics');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const cognitoSdk = require('@aws-sdk/client-cognito-identity-provider');
const { checkPublicCatalog, checkTenantCatalog, parseCredentials, signIn } = require('./checks');

/** Read once per run: set by infra/api-canary.ts. */
function setting(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set on the canary`);
  return value;
}

exports.handler = async () => {
  const publicApiUrl = setting('PUBLIC_API_URL');
  const restApiUrl = setting('REST_API_URL');
  const tenantSlug = setting('TENANT_SLUG');

  await synthetics.executeStep('publicCatalog', () => checkPublicCatalog(publicApiUrl, tenantSlug));

  const idToken = await synthetics.executeStep('signIn', async () => {
    const secret = await new SecretsManagerClient({}).send(
      new GetSecretValueCommand({ SecretId: setting('CREDENTIALS_SECRET_ARN') }),
    );
    return signIn(new cognitoSdk.CognitoIdentityProviderClient({}), cognitoSdk, {
      userPoolId: setting('USER_POOL_ID'),
      clientId: setting('USER_POOL_CLIENT_ID'),
      credentials: parseCredentials(secret.SecretString),
    });
  });

  await synthetics.executeStep('tenantCatalog', () => checkTenantCatalog(restApiUrl, idToken));
};
