import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import addFormats, { type FormatName } from 'ajv-formats';
import type { GatewayError } from './gateway-response-rendering';
import type {
  ModelDefinition,
  RequestValidatorDefinition,
  RestMethodDefinition,
} from './rest-api-definition';

/** What a method's request validator checks. */
export interface ValidationTarget {
  readonly method: RestMethodDefinition;
  readonly validators: ReadonlyMap<string, RequestValidatorDefinition>;
  readonly models: ReadonlyMap<string, ModelDefinition>;
  readonly headers: Record<string, string[]>;
  readonly query: Record<string, string[]>;
  readonly pathParameters: Record<string, string>;
  readonly body: Buffer;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The most of a client's value a validation message quotes: an 11 MB bad string is not echoed back. */
const MAX_QUOTED_LENGTH = 64;

/** JSON of a client value for a message, cut to a short prefix (`…`) when long. */
function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text;
}

const list = (values: unknown): string => JSON.stringify(Array.isArray(values) ? values : [values]);

/**
 * One message per failed keyword in the words of the JSON schema validator API Gateway runs (java
 * json-schema-validator), which is what `$context.error.validationErrorString` shows.
 */
function describe(errors: readonly ErrorObject[]): string[] {
  const grouped = new Map<string, { keyword: string; names: string[] }>();
  const messages: string[] = [];
  for (const error of errors) {
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required' || error.keyword === 'additionalProperties') {
      const key = `${error.keyword}:${error.instancePath}`;
      const entry = grouped.get(key) ?? { keyword: error.keyword, names: [] };
      // An unknown property's name is the client's: a prefix of it.
      entry.names.push(
        String(params.missingProperty ?? params.additionalProperty).slice(0, MAX_QUOTED_LENGTH),
      );
      if (!grouped.has(key)) {
        grouped.set(key, entry);
        messages.push(key);
      }
      continue;
    }
    const data = error.data;
    switch (error.keyword) {
      case 'type':
        messages.push(
          `instance type (${jsonType(data)}) does not match any allowed primitive type (allowed: ${list(params.type)})`,
        );
        break;
      case 'enum':
        messages.push(
          `instance value (${quoted(data)}) not found in enum (possible values: ${JSON.stringify(params.allowedValues)})`,
        );
        break;
      case 'minLength':
        messages.push(
          `string ${quoted(data)} is too short (length: ${String(data).length}, required minimum: ${params.limit})`,
        );
        break;
      case 'maxLength':
        messages.push(
          `string ${quoted(data)} is too long (length: ${String(data).length}, maximum allowed: ${params.limit})`,
        );
        break;
      case 'minimum':
        messages.push(
          `numeric instance is lower than the required minimum (minimum: ${params.limit}, found: ${quoted(data)})`,
        );
        break;
      case 'maximum':
        messages.push(
          `numeric instance is greater than the required maximum (maximum: ${params.limit}, found: ${quoted(data)})`,
        );
        break;
      case 'pattern':
        messages.push(
          `ECMA 262 regex ${JSON.stringify(params.pattern)} does not match input string ${quoted(data)}`,
        );
        break;
      case 'minItems':
        messages.push(
          `array is too short: must have at least ${params.limit} elements but instance has ${Array.isArray(data) ? data.length : 0} elements`,
        );
        break;
      case 'maxItems':
        messages.push(
          `array is too long: must have at most ${params.limit} elements but instance has ${Array.isArray(data) ? data.length : 0} elements`,
        );
        break;
      case 'format':
        messages.push(
          `string ${quoted(data)} is not a valid ${FORMAT_NAMES[String(params.format)] ?? String(params.format)}`,
        );
        break;
      default:
        messages.push(error.message ?? `instance failed ${error.keyword}`);
    }
  }
  return messages.map((message) => {
    const entry = grouped.get(message);
    if (!entry) return message;
    const names = JSON.stringify(entry.names);
    return entry.keyword === 'required'
      ? `object has missing required properties (${names})`
      : `object instance has properties which are not allowed by the schema: ${names}`;
  });
}

/** The string formats draft-04 defines. */
const DRAFT4_FORMATS: FormatName[] = ['date-time', 'email', 'hostname', 'ipv4', 'ipv6', 'uri'];

/** How API Gateway's validator names a format in its messages. */
const FORMAT_NAMES: Record<string, string> = {
  'date-time': 'RFC 3339 date/time value',
  email: 'email address',
  hostname: 'hostname',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
  uri: 'URI',
};

/** Validates requests against a REST API's models; compiled schemas are cached per model. */
export class RequestValidation {
  // API Gateway validates draft-04's standard formats too (an invalid email in a `format: email` field is a 400).
  private readonly ajv = addFormats(
    new Ajv({ allErrors: true, verbose: true, strict: false }),
    DRAFT4_FORMATS,
  );
  private readonly compiled = new Map<string, ValidateFunction>();

  /** Returns the gateway error for an invalid request, or `undefined` when it passes (or nothing is validated). */
  validate(target: ValidationTarget): GatewayError | undefined {
    const validatorId = target.method.requestValidatorId;
    const validator = validatorId === undefined ? undefined : target.validators.get(validatorId);
    if (!validator) return undefined;
    if (validator.validateRequestParameters) {
      const missing = this.missingParameters(target);
      if (missing.length > 0) {
        const message = `Missing required request parameters: [${missing.join(', ')}]`;
        return { responseType: 'BAD_REQUEST_PARAMETERS', message, validationErrorString: message };
      }
    }
    if (validator.validateRequestBody) return this.invalidBody(target);
    return undefined;
  }

  private missingParameters(target: ValidationTarget): string[] {
    const missing: string[] = [];
    for (const [name, required] of Object.entries(target.method.requestParameters)) {
      if (!required) continue;
      const [, location, key = ''] =
        /^method\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)\.(.+)$/.exec(
          name,
        ) ?? [];
      const present =
        location === 'header' || location === 'multivalueheader'
          ? (target.headers[key.toLowerCase()]?.length ?? 0) > 0
          : location === 'querystring' || location === 'multivaluequerystring'
            ? (target.query[key]?.length ?? 0) > 0
            : location === 'path'
              ? target.pathParameters[key] !== undefined
              : true;
      if (!present) missing.push(key);
    }
    return missing;
  }

  private invalidBody(target: ValidationTarget): GatewayError | undefined {
    const models = target.method.requestModels;
    const contentType =
      target.headers['content-type']?.at(-1)?.split(';')[0]?.trim().toLowerCase() || 'application/json';
    const modelRef =
      Object.entries(models).find(([type]) => type.toLowerCase() === contentType)?.[1] ?? models.$default;
    const model = modelRef === undefined ? undefined : target.models.get(modelRef);
    if (!model) return undefined;
    const validate = this.compile(model);
    const text = target.body.toString('utf8');
    let document: unknown;
    try {
      // An empty payload is validated as an empty object, so required properties still fail.
      document = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      const detail = '[Invalid JSON in request body]';
      return { responseType: 'BAD_REQUEST_BODY', validationErrorString: detail };
    }
    if (validate(document)) return undefined;
    return {
      responseType: 'BAD_REQUEST_BODY',
      validationErrorString: `[${describe(validate.errors ?? []).join(', ')}]`,
    };
  }

  private compile(model: ModelDefinition): ValidateFunction {
    const cached = this.compiled.get(model.id);
    if (cached) return cached;
    // A schema string that is no JSON reaches here unparsed: refusing it is API Gateway's 5xx.
    if (typeof model.schema === 'string') throw new SyntaxError(`model ${model.id}: Schema is not JSON`);
    const schema = { ...(model.schema as Record<string, unknown>) };
    // Models are addressed by their API Gateway URL, never by $id: drop it so two models cannot collide.
    delete schema.$id;
    delete schema.id;
    const validate = this.ajv.compile(schema);
    this.compiled.set(model.id, validate);
    return validate;
  }
}
