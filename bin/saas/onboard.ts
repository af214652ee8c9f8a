import { parseArgs } from 'node:util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { sigV4Headers } from '../demo-seed';
import type { SaasCommand } from './command';
import { resolveTarget, TARGET_OPTIONS } from './target';
import { withSlash } from './whoami';

/**
 * `onboard --name <name> --admin-email <email> [--tier basic|premium] [--stage <stage>]`: POST /tenants signed with
 * SigV4 (IAM-authorized: only operators onboard) — the operator's AWS credentials from the default provider chain
 * for a deployed stage, the local cloud's fake ones locally. Prints the new tenant; the admin gets a temporary
 * password (by e-mail deployed; in the local cloud's log locally) for `sign-in`.
 */
export const onboard: SaasCommand = {
  usage: 'onboard --name <name> --admin-email <email> [--tier basic|premium] [--stage <stage>]',
  summary: 'create a tenant and its admin (POST /tenants, signed with your AWS credentials)',
  async run(args) {
    const { values } = parseArgs({
      args: [...args],
      options: {
        ...TARGET_OPTIONS,
        name: { type: 'string' },
        'admin-email': { type: 'string' },
        tier: { type: 'string', default: 'basic' },
      },
    });
    if (!values.name || !values['admin-email']) throw new Error('--name and --admin-email are required');
    const target = await resolveTarget(values);
    const url = new URL('tenants', withSlash(target.output('RestApiUrl'))).toString();
    const payload = JSON.stringify({
      name: values.name,
      tier: values.tier,
      adminEmail: values['admin-email'],
    });
    const credentials = target.credentials ?? (await defaultProvider()());
    const { status, body } = await postSigned(url, payload, target.config.region, credentials);
    if (status >= 300) throw new Error(`POST ${url} → ${status} ${body}`);
    process.stdout.write(`${body}\n`);
  },
};

/** Attempts at a throttled (429) POST before giving up: API Gateway's throttle refills within seconds. */
const THROTTLED_ATTEMPTS = 6;

/**
 * The signed POST, resent on 429 as an AWS SDK retries throttling (signed again: a signature is dated). Onboarding
 * is safe to resend only because a throttled request never reached the function.
 */
async function postSigned(
  url: string,
  payload: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<{ status: number; body: string }> {
  for (let attempt = 1; ; attempt++) {
    const headers = await sigV4Headers(url, payload, region, credentials);
    const response = await fetch(url, { method: 'POST', headers, body: payload });
    const body = await response.text();
    if (response.status !== 429 || attempt === THROTTLED_ATTEMPTS) return { status: response.status, body };
    await new Promise((wait) => setTimeout(wait, 500 * 2 ** (attempt - 1)));
  }
}
