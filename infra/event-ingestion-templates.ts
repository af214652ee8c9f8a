// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${x}` here is a VTL reference, not a JavaScript placeholder
/**
 * The mapping templates of `POST /events` (API Gateway → DynamoDB PutItem, no function in between). They are
 * the only code on the write path, so they carry its security: the tenant only from the authorizer's context,
 * the event id from the gateway's request id, and every other string escaped so it stays inside its own JSON
 * string. Unit tests render them with the local VTL engine against an attack list.
 */
import { ORDER_EVENT_SK_PREFIX } from '../shared/keys/order-event-keys';

/**
 * `$util.escapeJavaScript` (Apache Commons Lang) escapes `"`, `\`, `/`, control characters and every non-ASCII
 * character as JSON does — but also `'` as `\'`, which is not a JSON escape: DynamoDB would refuse the body.
 * Every `'` in its output is escaped that way, and every backslash it emits starts an escape pair, so replacing
 * `\'` with `'` leaves exactly the JSON escaping. In VTL the regex `\\'` is a backslash followed by `'`.
 */
function jsonString(variable: string, source: string): string {
  return `#set($${variable} = $util.escapeJavaScript(${source}).replaceAll("\\\\'", "'"))`;
}

/** An optional attribute: written only when the field is present and not empty. */
function optionalAttribute(name: string): string {
  return `#if("$!${name}" != ""),\n    "${name}": {"S": "\${${name}}"}#end`;
}

/**
 * The PutItem request. Keys are orderEventKeys (shared/keys/order-event-keys.ts) built in VTL; references are
 * braced (`#${x}`), which both Velocity and the local engine read as a reference after a literal `#`.
 * `attribute_not_exists(PK)` means an event is never overwritten, whatever happens to the request id.
 */
export function putEventRequestTemplate(tableName: string): string {
  return [
    jsonString('tenantId', '$context.authorizer.tenantId'),
    jsonString('eventId', '$context.requestId'),
    jsonString('orderId', "$input.path('$.orderId')"),
    jsonString('type', "$input.path('$.type')"),
    jsonString('occurredAt', "$input.path('$.occurredAt')"),
    jsonString('carrier', "$input.path('$.carrier')"),
    jsonString('note', "$input.path('$.note')"),
    '{',
    `  "TableName": "${tableName}",`,
    '  "Item": {',
    '    "PK": {"S": "TENANT#${tenantId}#ORDER#${orderId}#EVENTS"},',
    `    "SK": {"S": "${ORDER_EVENT_SK_PREFIX}\${eventId}"},`,
    '    "entity": {"S": "order-event"},',
    '    "tenantId": {"S": "${tenantId}"},',
    '    "eventId": {"S": "${eventId}"},',
    '    "orderId": {"S": "${orderId}"},',
    '    "type": {"S": "${type}"},',
    '    "occurredAt": {"S": "${occurredAt}"},',
    '    "receivedAt": {"N": "$context.requestTimeEpoch"},',
    `    "status": {"S": "received"}${optionalAttribute('carrier')}${optionalAttribute('note')}`,
    '  },',
    '  "ConditionExpression": "attribute_not_exists(PK)"',
    '}',
  ].join('\n');
}

/** The product's error shape, `{code, message, requestId}`, as a response template. */
function errorBody(code: string, message: string): string {
  return `{"code":"${code}","message":"${message}","requestId":"$context.requestId"}`;
}

/** 2xx from DynamoDB: the event is stored; its id is the gateway's request id. */
export const acceptedResponseTemplate = '{"eventId":"$context.requestId"}';

/**
 * 4xx from DynamoDB, told apart by its `__type`: the condition (409), throttling (503, retry), anything else
 * (400). DynamoDB's own message is not passed on: it names attributes and expressions of the table.
 */
export const clientErrorResponseTemplate = [
  '#set($type = "$!input.path(\'$.__type\')")',
  "#if($type.endsWith('ConditionalCheckFailedException'))",
  '#set($context.responseOverride.status = 409)',
  errorBody('Conflict', 'this event is already recorded'),
  "#elseif($type.endsWith('ThrottlingException') || $type.endsWith('ProvisionedThroughputExceededException') || $type.endsWith('RequestLimitExceeded'))",
  '#set($context.responseOverride.status = 503)',
  errorBody('ServiceUnavailable', 'the event store is busy: retry with backoff'),
  '#else',
  errorBody('ValidationError', 'the event could not be stored as sent'),
  '#end',
].join('\n');

/** Anything else: a 500 with the request id and nothing of DynamoDB's answer. */
export const serverErrorResponseTemplate = errorBody('InternalError', 'internal error');
