import { createHash } from 'node:crypto';

/** Temporary credentials, as Lambda puts them in a function's environment and STS returns them. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\0')).digest();
}

/** An `ASIA…` access key id (what temporary credentials start with), 20 characters, derived from `seed`. */
function accessKeyIdOf(seed: string): string {
  const bytes = digest('access-key', seed);
  let id = 'ASIA';
  for (let i = 0; id.length < 20; i++) id += ALPHABET[(bytes[i] ?? 0) % 32];
  return id;
}

/** Credentials derived from a seed: the same seed gives the same keys, so a restart keeps them valid. */
export function derivedCredentials(seed: string): SessionCredentials {
  return {
    accessKeyId: accessKeyIdOf(seed),
    secretAccessKey: digest('secret', seed).toString('base64').slice(0, 40),
    sessionToken: `IQoJb3JpZ2luX2VjE${digest('token', seed).toString('base64')}`,
  };
}

/**
 * The credentials a function runs with: its execution role's session named after the function, as Lambda
 * gives each function `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` of its role. Derived from
 * the function's ARN, so the Lambda service and the IAM authority compute them without talking to each other.
 */
export function functionCredentials(functionArn: string): SessionCredentials {
  return derivedCredentials(`function ${functionArn}`);
}

/** The variables Lambda sets from a function's credentials. */
export function credentialsEnvironment(credentials: SessionCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
  };
}
