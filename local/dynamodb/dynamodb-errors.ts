import type { EngineAnswer } from './engine-client';

/** An attribute value in DynamoDB's wire JSON (`{"S":"x"}`, `{"M":{…}}`, binary as base64 strings). */
export type WireValue = Record<string, unknown>;
/** An item (or key) in DynamoDB's wire JSON. */
export type WireItem = Record<string, WireValue>;

const VALIDATION_TYPE = 'com.amazon.coral.validate#ValidationException';

/**
 * An error answer shaped as DynamoDB sends it: `__type` with its namespace and the message under `message`
 * (`Message` for the exceptions DynamoDB spells that way, such as TransactionCanceledException).
 */
export function dynamoError(
  name: string,
  message: string,
  extra: Record<string, unknown> = {},
  messageKey: 'message' | 'Message' = 'message',
): EngineAnswer {
  const type = name === 'ValidationException' ? VALIDATION_TYPE : `com.amazonaws.dynamodb.v20120810#${name}`;
  return jsonAnswer(400, { __type: type, [messageKey]: message, ...extra });
}

/** A ValidationException with DynamoDB's message. */
export function validationError(message: string): EngineAnswer {
  return dynamoError('ValidationException', message);
}

/** A 200 answer with a JSON body. */
export function jsonAnswer(status: number, body: Record<string, unknown>): EngineAnswer {
  const raw = Buffer.from(JSON.stringify(body));
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(raw.length) },
    raw,
    body,
  };
}

/** dynalite's wording of an empty key value refused in a `Key`, and DynamoDB's today (the same as for an item). */
const EMPTY_KEY_WORDING = {
  engine:
    'One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty',
  dynamodb:
    'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty',
} as const;

/** An engine answer with its error message in DynamoDB's current wording where dynalite's is older. */
export function inDynamoDbWording(answer: EngineAnswer): EngineAnswer {
  if (answer.status !== 400) return answer;
  const message = answer.body.message;
  if (typeof message !== 'string' || !message.startsWith(EMPTY_KEY_WORDING.engine)) return answer;
  return validationError(EMPTY_KEY_WORDING.dynamodb + message.slice(EMPTY_KEY_WORDING.engine.length));
}
