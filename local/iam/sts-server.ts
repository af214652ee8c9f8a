import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoopbackServer, loopbackServer } from '../loopback-server';
import type { IamAuthority } from './call-authority';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

const escapeXml = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );

function reply(res: ServerResponse, status: number, xml: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function result(res: ServerResponse, action: string, inner: string): void {
  reply(
    res,
    200,
    `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  );
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  reply(
    res,
    status,
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

/** `Tags.member.N.Key` / `.Value` pairs of a query-protocol request. */
function tagsOf(params: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n++) {
    tags[params.get(`Tags.member.${n}.Key`) ?? ''] = params.get(`Tags.member.${n}.Value`) ?? '';
  }
  return tags;
}

type StsAction = (params: URLSearchParams, req: IncomingMessage, res: ServerResponse) => void;

/**
 * STS on the loopback (the query protocol the AWS SDK speaks to it, `AWS_ENDPOINT_URL_STS`): `GetCallerIdentity`
 * names the principal who signed; `AssumeRole` checks the role's trust policy (and `sts:TagSession` for session
 * tags) and returns credentials of a session whose `aws:PrincipalTag/*` are the role's tags and the session's.
 * Other actions answer `InvalidAction`.
 */
export function createStsServer(authority: IamAuthority): LoopbackServer {
  const actions: Readonly<Record<string, StsAction>> = {
    GetCallerIdentity(_params, req, res) {
      const principal = authority.principalOfRequest(req.headers, req.url);
      const userId =
        principal.kind === 'assumed-role'
          ? `${authority.roleIdOf(principal.roleArn)}:${principal.arn.split('/').at(-1)}`
          : 'AIDALOCALCLOUDADMIN00';
      result(
        res,
        'GetCallerIdentity',
        `<Arn>${escapeXml(principal.arn)}</Arn><UserId>${escapeXml(userId)}</UserId><Account>${principal.accountId}</Account>`,
      );
    },
    AssumeRole(params, req, res) {
      const roleArn = params.get('RoleArn') ?? '';
      const sessionName = params.get('RoleSessionName') ?? '';
      const durationSeconds = Number(params.get('DurationSeconds') ?? 3600);
      if (!SESSION_NAME.test(sessionName)) {
        error(
          res,
          400,
          'ValidationError',
          `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
        );
        return;
      }
      if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43_200) {
        error(
          res,
          400,
          'ValidationError',
          `1 validation error detected: Value '${params.get('DurationSeconds')}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
        );
        return;
      }
      const caller = authority.principalOfRequest(req.headers, req.url);
      const outcome = authority.assumeRole(caller, {
        roleArn,
        sessionName,
        tags: tagsOf(params),
        durationSeconds,
      });
      if ('noSuchRole' in outcome) {
        // AWS answers a role that does not exist as it answers one whose trust policy refuses the caller.
        error(
          res,
          403,
          'AccessDenied',
          `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        );
        return;
      }
      if ('refusal' in outcome) {
        error(
          res,
          403,
          'AccessDenied',
          `User: ${caller.arn} is not authorized to perform: ${outcome.refusal.action} on resource: ${roleArn}`,
        );
        return;
      }
      const { session } = outcome;
      result(
        res,
        'AssumeRole',
        `<Credentials><AccessKeyId>${session.credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${escapeXml(session.credentials.secretAccessKey)}</SecretAccessKey><SessionToken>${escapeXml(session.credentials.sessionToken)}</SessionToken><Expiration>${session.expiration.toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>${authority.roleIdOf(roleArn)}:${escapeXml(sessionName)}</AssumedRoleId><Arn>${escapeXml(session.principal.arn)}</Arn></AssumedRoleUser><PackedPolicySize>${Object.keys(tagsOf(params)).length * 3}</PackedPolicySize>`,
      );
    },
  };
  return loopbackServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const query = (req.url ?? '').split('?')[1] ?? '';
      const params = new URLSearchParams(
        req.method === 'GET' ? query : Buffer.concat(chunks).toString('utf8'),
      );
      const action = params.get('Action') ?? '';
      const handler = actions[action];
      if (handler === undefined) {
        error(res, 400, 'InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
        return;
      }
      handler(params, req, res);
    });
  });
}
