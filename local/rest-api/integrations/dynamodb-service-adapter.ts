// Node's own crypto (the SDK's Node.js hash), not the pure-JavaScript one: every signed call hashes its body.
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { currentTraceRoot } from '../../request-records';
import type { AwsServiceAdapter } from './aws-service-call';

/** The request's trace root, so the service counts this call on it (see request-records.ts). */
function traceHeader(): Record<string, string> {
  const root = currentTraceRoot();
  return root ? { 'x-amzn-trace-id': `Root=${root}` } : {};
}

/** The DynamoDB actions an `AWS` integration may call locally (the item and query API; no table management). */
export const DYNAMODB_ACTIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
]);

/**
 * DynamoDB through an `AWS` integration (`arn:aws:apigateway:{region}:dynamodb:action/{Action}`): the rendered
 * template is the JSON-protocol request body, sent SigV4-signed to the endpoint functions use — the stream
 * capture proxy, so a write here reaches the table's stream like any other. DynamoDB's status code and body
 * (`{"__type": "…#ConditionalCheckFailedException", "message": …}` on errors) come back unchanged.
 */
export const dynamoDbServiceAdapter: AwsServiceAdapter = {
  unsupported(target) {
    if (target.kind === 'action' && DYNAMODB_ACTIONS.has(target.value)) return undefined;
    return `dynamodb ${target.kind}/${target.value} is not emulated (actions: ${[...DYNAMODB_ACTIONS].join(', ')})`;
  },

  async call({ target, body, endpoint, region, credentials, signal }) {
    const url = new URL(endpoint);
    const signer = new SignatureV4({ service: 'dynamodb', region, credentials, sha256: Sha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${target.value}`,
        ...traceHeader(),
      },
      body,
    });
    const response = await fetch(new URL('/', url), {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body,
      signal,
    });
    return {
      statusCode: response.status,
      headers: Object.fromEntries(response.headers),
      body: await response.text(),
    };
  },
};
