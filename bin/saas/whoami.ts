import { parseArgs } from 'node:util';
import type { SaasCommand } from './command';
import { resolveTarget, TARGET_OPTIONS } from './target';
import { freshTokens } from './token-store';

/** `whoami [--stage <stage>]`: GET /me on the public HTTP API with the stored ID token; prints what it answers. */
export const whoami: SaasCommand = {
  usage: 'whoami [--stage <stage>]',
  summary: 'who the stored token is, as the API sees it (GET /me on the public HTTP API)',
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: TARGET_OPTIONS });
    const target = await resolveTarget(values);
    const tokens = await freshTokens(target);
    const url = new URL('me', withSlash(target.output('PublicApiUrl')));
    const response = await fetch(url, { headers: { authorization: `Bearer ${tokens.idToken}` } });
    const body = await response.text();
    if (!response.ok) throw new Error(`GET ${url} → ${response.status} ${body}`);
    process.stdout.write(`${body}\n`);
  },
};

/** `https://x/prod` → `https://x/prod/`, so a relative path keeps the stage. */
export const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
