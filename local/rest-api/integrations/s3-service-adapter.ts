// Node's own crypto (the SDK's Node.js hash), not the pure-JavaScript one: every signed call hashes its body.
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsServiceAdapter } from './aws-service-call';

/** Methods without a body: nothing is sent even if the method request had one. */
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/** A path parameter's value in the S3 path: each segment percent-encoded, slashes kept (a greedy key). */
function pathValue(value: string): string {
  return value
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/**
 * S3 through an `AWS` integration — "API Gateway as an S3 proxy": `arn:aws:apigateway:{region}:s3:path/{bucket}/{key}`
 * called with the integration's HTTP method, its `{name}` placeholders filled from `integration.request.path.*`,
 * headers and query from the other request parameters, and the body passed through as bytes (binary media types
 * intact), SigV4-signed to the local S3 endpoint. S3's status, headers and body (bytes, so an object downloads
 * unchanged) come back for the integration response. `action/…` URIs are not emulated.
 */
export const s3ServiceAdapter: AwsServiceAdapter = {
  unsupported(target) {
    if (target.kind === 'path') return undefined;
    return `s3 action/${target.value} is not emulated (path/{bucket}/{key} URIs only)`;
  },

  async call({
    target,
    bodyBytes,
    httpMethod,
    pathParameters,
    headers,
    query,
    endpoint,
    region,
    credentials,
    signal,
  }) {
    const method = httpMethod ?? 'GET';
    const missing: string[] = [];
    const path = target.value.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = pathParameters[name];
      if (value === undefined) missing.push(name);
      return pathValue(value ?? '');
    });
    if (missing.length > 0) {
      return {
        statusCode: 400,
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidRequest</Code><Message>The integration's path parameter(s) ${missing.join(', ')} were not mapped (integration.request.path.*)</Message></Error>`,
      };
    }
    const url = new URL(endpoint);
    const body = BODYLESS.has(method) ? undefined : bodyBytes;
    const signer = new SignatureV4({
      service: 's3',
      region,
      credentials,
      sha256: Sha256,
      uriEscapePath: false,
    });
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: `/${path}`,
      query: { ...query },
      headers: {
        ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
        host: url.host,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        ...(body ? { 'content-length': String(body.length) } : {}),
      },
    });
    const search = new URLSearchParams(query).toString();
    const response = await fetch(`${url.origin}/${path}${search ? `?${search}` : ''}`, {
      method,
      headers: signed.headers as Record<string, string>,
      ...(body ? { body } : {}),
      signal,
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return {
      statusCode: response.status,
      headers: Object.fromEntries(response.headers),
      body: bytes.toString('utf8'),
      bodyBytes: bytes,
    };
  },
};
