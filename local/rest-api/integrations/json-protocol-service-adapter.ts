// Node's own crypto (the SDK's Node.js hash), not the pure-JavaScript one: every signed call hashes its body.
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsServiceAdapter } from './aws-service-call';

/** How one AWS JSON-protocol service is called through an `AWS` integration's `action/{Action}` Uri. */
export interface JsonProtocolService {
  /** The `X-Amz-Target` prefix (`AWSEvents`, `Kinesis_20131202`, `AWSStepFunctions`). */
  readonly targetPrefix: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  readonly contentType: string;
  /** The service's `AWS_ENDPOINT_URL_<NAME>` name, lowercased (`eventbridge`, `kinesis`, `sfn`). */
  readonly endpointName: string;
  /** The signing name (`events`, `kinesis`, `states`): engines such as kinesalite refuse unsigned calls. */
  readonly signingName: string;
  /** The actions the local service serves. */
  readonly actions: readonly string[];
}

/**
 * An `AWS` integration with a service that speaks AWS's JSON protocol (EventBridge, Kinesis, Step Functions):
 * the rendered request template is the request body, sent SigV4-signed to the service's local endpoint with the
 * action as `X-Amz-Target`; its status and JSON body are what integration responses select on and map.
 */
export function jsonProtocolServiceAdapter(service: JsonProtocolService): AwsServiceAdapter {
  return {
    endpointName: service.endpointName,
    unsupported(target) {
      if (target.kind === 'action' && service.actions.includes(target.value)) return undefined;
      return `${target.kind}/${target.value} is not emulated (actions: ${service.actions.join(', ')})`;
    },
    async call(call) {
      const url = new URL(call.endpoint);
      const body = call.body.trim() === '' ? '{}' : call.body;
      const signer = new SignatureV4({
        service: service.signingName,
        region: call.region,
        credentials: call.credentials,
        sha256: Sha256,
      });
      const signed = await signer.sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: '/',
        headers: {
          host: url.host,
          'content-type': service.contentType,
          'x-amz-target': `${service.targetPrefix}.${call.target.value}`,
        },
        body,
      });
      const answer = await fetch(new URL('/', url), {
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body,
        signal: call.signal,
      });
      return {
        statusCode: answer.status,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': crypto.randomUUID() },
        body: await answer.text(),
      };
    },
  };
}
