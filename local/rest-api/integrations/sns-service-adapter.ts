import type { AwsServiceAdapter, AwsServiceReply } from './aws-service-call';

/** The text of the first `<name>…</name>` of an XML answer of SNS's query protocol. */
function xmlValue(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/**
 * SNS `Publish` through an `AWS` integration (`action/Publish`), in the query protocol the common CDK patterns use:
 * the parameters (`TopicArn`, `Message`, `Subject`, `MessageAttributes.entry.N.*`, …) come from a form-encoded
 * request template and the `integration.request.querystring.*` mappings, and go to the cloud's SNS endpoint. The
 * answer is the query protocol's JSON form (`PublishResponse.PublishResult.MessageId`), which is what API Gateway
 * hands response templates.
 */
export const snsServiceAdapter: AwsServiceAdapter = {
  unsupported(target) {
    if (target.kind === 'action' && target.value === 'Publish') return undefined;
    return `sns ${target.kind}/${target.value} is not emulated (action/Publish only)`;
  },

  async call(call): Promise<AwsServiceReply> {
    const requestId = crypto.randomUUID();
    const params = new URLSearchParams(call.body);
    for (const [name, value] of Object.entries(call.query)) params.set(name, value);
    params.set('Action', 'Publish');
    if (!params.has('Version')) params.set('Version', '2010-03-31');
    const answer = await fetch(call.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: params.toString(),
      signal: call.signal,
    });
    const xml = await answer.text();
    if (!answer.ok) {
      return {
        statusCode: answer.status,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
        body: JSON.stringify({
          Error: {
            Code: xmlValue(xml, 'Code') ?? 'InternalFailure',
            Message: xmlValue(xml, 'Message') ?? xml,
            Type: xmlValue(xml, 'Type') ?? 'Sender',
          },
          RequestId: requestId,
        }),
      };
    }
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
      body: JSON.stringify({
        PublishResponse: {
          PublishResult: {
            MessageId: xmlValue(xml, 'MessageId') ?? null,
            SequenceNumber: xmlValue(xml, 'SequenceNumber') ?? null,
          },
          ResponseMetadata: { RequestId: requestId },
        },
      }),
    };
  },
};
