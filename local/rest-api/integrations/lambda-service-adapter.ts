import { LambdaFunctionError } from '../../lambda/lambda-function-error';
import { LambdaInvocationError } from '../../model';
import type { AwsServiceAdapter, AwsServiceCall, AwsServiceReply } from './aws-service-call';

/** `path/2015-03-31/functions/{functionArn}/invocations`, the Lambda Invoke API an `AWS` integration calls. */
const INVOKE_PATH = /^2015-03-31\/functions\/(.+)\/invocations$/;

/** The `X-Amz-Invocation-Type` the integration request maps (`'Event'` as a literal in the CDK pattern). */
function invocationType(call: AwsServiceCall): string {
  const entry = Object.entries(call.headers).find(([name]) => name.toLowerCase() === 'x-amz-invocation-type');
  return entry?.[1] ?? 'RequestResponse';
}

/** The Invoke payload: the rendered template (or passed-through body) must be JSON; an empty one is `{}`. */
function parsePayload(body: string): unknown {
  if (body.trim() === '') return {};
  return JSON.parse(body);
}

/**
 * Lambda's Invoke API behind a non-proxy `AWS` integration (the "custom" Lambda integration): the rendered
 * request template is the event. `X-Amz-Invocation-Type: Event` invokes asynchronously (Lambda answers 202 with
 * no body at once; the function runs after the gateway answers); `RequestResponse` (the default) waits.
 *
 * AWS-BEHAVIOUR: with a Lambda backend, `selectionPattern` is a regular expression matched against the
 * function's `errorMessage`; a successful invocation takes the default integration response (A19, A20 in
 * AWS-BEHAVIOUR.md: "handle-errors-in-lambda-integration"); a function error's body is Lambda's error document
 * (`errorType`, `errorMessage`, `trace`), which response templates read with `$input.path('$.errorMessage')`.
 * Not emulated: the asynchronous invocation's retries (Lambda retries a failed `Event` invocation twice) and
 * its destinations — a failure is logged.
 */
export const lambdaServiceAdapter: AwsServiceAdapter = {
  endpointName: null,

  unsupported(target) {
    if (target.kind === 'path' && INVOKE_PATH.test(target.value)) return undefined;
    return `lambda ${target.kind}/${target.value} is not emulated (Invoke only: path/2015-03-31/functions/{arn}/invocations)`;
  },

  async call(call): Promise<AwsServiceReply> {
    const functionArn = INVOKE_PATH.exec(call.target.value)?.[1] ?? '';
    const requestId = crypto.randomUUID();
    let payload: unknown;
    try {
      payload = parsePayload(call.body);
    } catch {
      // Lambda refuses the Invoke call (InvalidRequestContentException), which API Gateway reports as a failure.
      throw new Error(
        `the request template did not render JSON, which Lambda refuses: ${call.body.slice(0, 200)}`,
      );
    }
    const type = invocationType(call);
    if (type === 'Event') {
      call.invoker.invoke(functionArn, payload).catch((error: unknown) => {
        call.log(`asynchronous invocation of ${functionArn} failed: ${String(error)}`);
      });
      return { statusCode: 202, selector: '', headers: { 'x-amzn-requestid': requestId }, body: '' };
    }
    if (type !== 'RequestResponse') {
      throw new Error(`X-Amz-Invocation-Type ${type} is not emulated (RequestResponse, Event)`);
    }
    try {
      const result = await call.invoker.invoke(functionArn, payload);
      return {
        statusCode: 200,
        selector: '',
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
        body: JSON.stringify(result ?? null),
      };
    } catch (error) {
      if (!(error instanceof LambdaInvocationError)) throw error;
      const document =
        error instanceof LambdaFunctionError
          ? error.payload
          : { errorType: error.errorType, errorMessage: error.message };
      return {
        statusCode: 200,
        selector: document.errorMessage,
        headers: {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amz-function-error': error.errorType,
        },
        body: JSON.stringify(document),
      };
    }
  },
};
