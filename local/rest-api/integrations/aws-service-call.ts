/**
 * What an `AWS` (non-proxy service) integration asks of one AWS service, and what the service answered:
 * the seam between the REST emulator's integration step and the per-service adapters (DynamoDB, SQS).
 */

/** An integration's `Uri`, read: `arn:aws:apigateway:{region}:{[subdomain.]service}:{action|path}/{rest}`. */
export interface AwsServiceTarget {
  readonly service: string;
  readonly kind: 'action' | 'path';
  /** The action name (`PutItem`), or the path after `path/` (`123456789012/my-queue`). */
  readonly value: string;
}

const SERVICE_URI = /^arn:[^:]+:apigateway:[^:]*:(?:[^:.]+\.)?([^:.]+):(action|path)\/(.+)$/s;

/** Reads an AWS integration's `Uri`; `undefined` when it is not an API Gateway service URI. */
export function parseServiceUri(uri: unknown): AwsServiceTarget | undefined {
  const [, service, kind, value] = SERVICE_URI.exec(String(uri ?? '')) ?? [];
  if (!service || (kind !== 'action' && kind !== 'path') || value === undefined) return undefined;
  return { service, kind, value };
}

/** One request to a service, after the request template and the integration request parameters. */
export interface AwsServiceCall {
  readonly target: AwsServiceTarget;
  /** The rendered request template (or the passed-through body). */
  readonly body: string;
  /** The same as bytes: a passed-through body exactly as the client sent it (binary media types stay intact). */
  readonly bodyBytes: Buffer;
  /** `IntegrationHttpMethod`, upper-case (what a path-style service such as S3 is called with). */
  readonly httpMethod?: string;
  /** `integration.request.path.*`, as mapped: the `{name}` placeholders of a `path/…` Uri. */
  readonly pathParameters: Readonly<Record<string, string>>;
  /** `integration.request.header.*`, as mapped. */
  readonly headers: Readonly<Record<string, string>>;
  /** `integration.request.querystring.*`, as mapped. */
  readonly query: Readonly<Record<string, string>>;
  /** The service's local endpoint (what functions get as `AWS_ENDPOINT_URL_<SERVICE>`). */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Aborts the call when the integration times out. */
  readonly signal: AbortSignal;
}

/** The service's answer, as the integration response step sees it (the status code is the selector). */
export interface AwsServiceReply {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The body as bytes, for a service whose answers may be binary (S3's objects); passed through unchanged. */
  readonly bodyBytes?: Buffer;
}

/** One AWS service an `AWS` integration may call. A new service is a new adapter in the table of aws-integration.ts. */
export interface AwsServiceAdapter {
  /** Why `target` is not emulated, or `undefined` when it is. */
  unsupported(target: AwsServiceTarget): string | undefined;
  call(call: AwsServiceCall): Promise<AwsServiceReply>;
}
