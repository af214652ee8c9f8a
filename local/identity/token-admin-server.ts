import { type LoopbackServer, loopbackServer } from '../loopback-server';
import type { LocalIdentity } from './identity-server';

/**
 * A tiny loopback-only admin endpoint so CLIs (`npm run token`) can ask the running local cloud for tokens:
 * `POST /tokens {userPoolId, clientId, username}` answers the minted ID and access tokens.
 */
export function createTokenAdminServer(identity: LocalIdentity): LoopbackServer {
  return loopbackServer(async (request, response) => {
    try {
      if (request.method !== 'POST' || request.url !== '/tokens') {
        response.writeHead(404).end();
        return;
      }
      let body = '';
      for await (const chunk of request) body += String(chunk);
      const input = JSON.parse(body) as { userPoolId: string; clientId: string; username: string };
      const tokens = identity.mintTokens(input);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(tokens));
    } catch (error) {
      response
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    }
  });
}
