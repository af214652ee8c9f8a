#!/usr/bin/env node
/**
 * Prints a fresh token, from the running local cloud or from a deployed stage.
 *
 * - `npm run token -- --tenant acme --user member`: a demo user of the local cloud (`npm start`), minted directly.
 * - `npm run token -- --username admin@acme.test --stage sandbox`: signs in by SRP to the deployed stage, its
 *   pool and client read from CloudFormation (DescribeStacks, with your AWS credentials).
 * - `npm run token -- --username admin@acme.test --outputs cdk-outputs.json`: the same, from the file
 *   `cdk deploy --outputs-file cdk-outputs.json` wrote. With neither, the running local cloud's outputs.
 *
 * The password is never an argument: `SAAS_PASSWORD` or a prompt. A first sign-in with a temporary password
 * answers NEW_PASSWORD_REQUIRED with `SAAS_NEW_PASSWORD` or a prompt. `--token id|access|refresh|all`.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { signInWithSrp } from './cognito-sign-in';
import { fetchIdToken, readLocalSession, usernameOf } from './local-session';
import { clientConfig, stackOutputsFrom } from './stack-outputs';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    user: { type: 'string', default: 'member' },
    username: { type: 'string' },
    stage: { type: 'string' },
    region: { type: 'string' },
    outputs: { type: 'string' },
    token: { type: 'string', default: 'id' },
  },
});

/** A secret from the environment (scripts) or typed at a prompt (people); never from the command line. */
async function secret(variable: string, question: string): Promise<string> {
  const fromEnvironment = process.env[variable];
  if (fromEnvironment) return fromEnvironment;
  if (!process.stdin.isTTY) throw new Error(`set ${variable}: there is no terminal to ask for it`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await prompt.question(question);
  } finally {
    prompt.close();
  }
}

async function main(): Promise<void> {
  if (!values.username) {
    // The demo users of the local cloud: minted by its token endpoint, no password involved.
    const session = await readLocalSession();
    process.stdout.write(
      `${await fetchIdToken(session, usernameOf(values.tenant, values.user ?? 'member'))}\n`,
    );
    return;
  }
  const config = clientConfig(await stackOutputsFrom(values));
  const tokens = await signInWithSrp(config, {
    username: values.username,
    password: await secret('SAAS_PASSWORD', `password for ${values.username}: `),
    newPassword: () => secret('SAAS_NEW_PASSWORD', 'a new password is required (first sign-in): '),
  });
  const wanted = values.token ?? 'id';
  const printed =
    wanted === 'all'
      ? JSON.stringify(tokens, null, 2)
      : wanted === 'access'
        ? tokens.accessToken
        : wanted === 'refresh'
          ? tokens.refreshToken
          : tokens.idToken;
  process.stdout.write(`${printed}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
