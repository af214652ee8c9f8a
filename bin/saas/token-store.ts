import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import type { SignedIn } from '../cognito-sign-in';
import { cognitoEndpoint } from '../stack-outputs';
import type { Target } from './target';

/** What `sign-in` keeps per stage, so `token` and `whoami` work without signing in again. */
export interface StoredTokens extends SignedIn {
  readonly username: string;
  readonly clientId: string;
}

/** Where the token files live: `SAAS_STATE_DIR`, else the repository's `.cdk-local` (git-ignored). */
function stateDir(): string {
  return process.env.SAAS_STATE_DIR ?? join(resolve(__dirname, '..', '..'), '.cdk-local');
}

/** `.cdk-local/tokens-<stage>.json`: one file per stage, so a sandbox and the local cloud never mix tokens. */
export function tokenFile(stage: string): string {
  if (!/^[\w-]+$/.test(stage)) throw new Error(`'${stage}' is not a stage name`);
  return join(stateDir(), `tokens-${stage}.json`);
}

/** Stores a stage's tokens readable by the owner only (0600): a refresh token is a credential for 30 days. */
export async function storeTokens(stage: string, tokens: StoredTokens): Promise<string> {
  const file = tokenFile(stage);
  await mkdir(stateDir(), { recursive: true });
  await writeFile(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies only when the file is created: an older file keeps its mode unless told.
  await chmod(file, 0o600);
  return file;
}

/** The stage's stored tokens; fails saying to sign in when there are none. */
export async function readTokens(stage: string): Promise<StoredTokens> {
  const text = await readFile(tokenFile(stage), 'utf8').catch(() => {
    throw new Error(`not signed in to stage '${stage}': run \`npm run saas -- sign-in --stage ${stage}\``);
  });
  return JSON.parse(text) as StoredTokens;
}

/** Seconds of validity under which a stored ID token is refreshed rather than used. */
const REFRESH_MARGIN_SECONDS = 60;

/**
 * The stage's tokens, fresh: when the ID token expires within a minute, REFRESH_TOKEN_AUTH (as the SPA does)
 * gives new ID and access tokens, which are stored again. An expired refresh token means signing in again.
 */
export async function freshTokens(target: Target): Promise<StoredTokens> {
  const stored = await readTokens(target.stage);
  const expires = decodeJwt(stored.idToken).exp ?? 0;
  if (expires - REFRESH_MARGIN_SECONDS > Date.now() / 1000) return stored;
  const endpoint = cognitoEndpoint(target.config);
  const idp = new CognitoIdentityProviderClient({
    region: target.config.region,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(target.credentials === undefined ? {} : { credentials: target.credentials }),
  });
  try {
    const { AuthenticationResult } = await idp.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: stored.clientId,
        AuthParameters: { REFRESH_TOKEN: stored.refreshToken },
      }),
    );
    if (!AuthenticationResult?.IdToken || !AuthenticationResult.AccessToken) {
      throw new Error('Cognito returned no tokens for the refresh token');
    }
    const refreshed: StoredTokens = {
      ...stored,
      idToken: AuthenticationResult.IdToken,
      accessToken: AuthenticationResult.AccessToken,
    };
    await storeTokens(target.stage, refreshed);
    return refreshed;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the stored session of stage '${target.stage}' cannot be refreshed (${reason}): sign in again`,
    );
  } finally {
    idp.destroy();
  }
}
