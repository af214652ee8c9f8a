import { renderVtl } from '../vtl/render-vtl';
import { createVtlInput } from '../vtl/vtl-input';
import { mapResponseHeaders, type ParameterSources } from './parameter-mapping';
import type { GatewayResponseDefinition } from './rest-api-definition';
import { type RestResponse, selectTemplate, setHeader } from './rest-response';

interface ResponseTypeDefault {
  readonly statusCode: number;
  readonly message: string;
  /** The `x-amzn-ErrorType` header API Gateway sends with it. */
  readonly errorType: string;
}

/** API Gateway's gateway-response types with their default status codes and messages. */
export const GATEWAY_RESPONSE_DEFAULTS: Readonly<Record<string, ResponseTypeDefault>> = {
  ACCESS_DENIED: {
    statusCode: 403,
    message: 'User is not authorized to access this resource',
    errorType: 'AccessDeniedException',
  },
  API_CONFIGURATION_ERROR: {
    statusCode: 500,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
  AUTHORIZER_CONFIGURATION_ERROR: {
    statusCode: 500,
    message: 'Internal server error',
    errorType: 'AuthorizerConfigurationException',
  },
  AUTHORIZER_FAILURE: {
    statusCode: 500,
    message: 'Internal server error',
    errorType: 'AuthorizerFailureException',
  },
  BAD_REQUEST_PARAMETERS: {
    statusCode: 400,
    message: 'Missing required request parameters',
    errorType: 'BadRequestException',
  },
  BAD_REQUEST_BODY: { statusCode: 400, message: 'Invalid request body', errorType: 'BadRequestException' },
  DEFAULT_4XX: { statusCode: 400, message: 'Bad Request', errorType: 'BadRequestException' },
  DEFAULT_5XX: {
    statusCode: 500,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
  EXPIRED_TOKEN: {
    statusCode: 403,
    message: 'The security token included in the request is expired',
    errorType: 'ExpiredTokenException',
  },
  INTEGRATION_FAILURE: {
    statusCode: 504,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
  INTEGRATION_TIMEOUT: {
    statusCode: 504,
    message: 'Endpoint request timed out',
    errorType: 'InternalServerErrorException',
  },
  INVALID_API_KEY: { statusCode: 403, message: 'Forbidden', errorType: 'ForbiddenException' },
  INVALID_SIGNATURE: {
    statusCode: 403,
    message: 'The request signature we calculated does not match the signature you provided',
    errorType: 'InvalidSignatureException',
  },
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  QUOTA_EXCEEDED: { statusCode: 429, message: 'Limit Exceeded', errorType: 'LimitExceededException' },
  REQUEST_TOO_LARGE: { statusCode: 413, message: 'Request Too Long', errorType: 'RequestTooLargeException' },
  RESOURCE_NOT_FOUND: { statusCode: 404, message: 'Resource not found', errorType: 'NotFoundException' },
  THROTTLED: { statusCode: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  UNAUTHORIZED: { statusCode: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  UNSUPPORTED_MEDIA_TYPE: {
    statusCode: 415,
    message: 'Unsupported Media Type',
    errorType: 'UnsupportedMediaTypeException',
  },
  WAF_FILTERED: { statusCode: 403, message: 'Forbidden', errorType: 'WAFFilteredException' },
};

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/** A failure API Gateway answers itself, before or instead of the integration. */
export interface GatewayError {
  readonly responseType: string;
  /** Overrides the type's default status (e.g. 502 for a malformed Lambda proxy response). */
  readonly statusCode?: number;
  /** Overrides the type's default message. */
  readonly message?: string;
  readonly validationErrorString?: string;
}

/** Everything a gateway response template or mapping may read about the request. */
export interface GatewayResponseScope {
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
  /** `$context` of the request so far; `error` is added here. */
  readonly context: Record<string, unknown>;
  readonly sources: Omit<ParameterSources, 'context'>;
  readonly accept?: string;
}

function defaultsOf(responseType: string): ResponseTypeDefault {
  return (
    GATEWAY_RESPONSE_DEFAULTS[responseType] ?? {
      statusCode: 500,
      message: 'Internal server error',
      errorType: 'InternalServerErrorException',
    }
  );
}

/**
 * Builds the response API Gateway sends for `error`: the AWS default status and `{"message": ...}` body,
 * customised by the AWS::ApiGateway::GatewayResponse of that type, or else by DEFAULT_4XX/DEFAULT_5XX (by the
 * status class), exactly one of them — AWS does not merge a specific response with the default one.
 */
export function gatewayResponse(error: GatewayError, scope: GatewayResponseScope): RestResponse {
  const defaults = defaultsOf(error.responseType);
  const baseStatus = error.statusCode ?? defaults.statusCode;
  const fallbackType = baseStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const custom = scope.gatewayResponses.get(error.responseType) ?? scope.gatewayResponses.get(fallbackType);
  // A DEFAULT_4XX/5XX customisation keeps the specific type's status; only the type's own StatusCode replaces it.
  const customStatus = custom?.responseType === error.responseType ? custom.statusCode : undefined;
  const statusCode = customStatus !== undefined && customStatus > 0 ? customStatus : baseStatus;
  const message = error.message ?? defaults.message;
  const context: Record<string, unknown> = {
    ...scope.context,
    error: {
      message,
      messageString: JSON.stringify(message),
      responseType: error.responseType,
      validationErrorString: error.validationErrorString ?? '',
    },
  };
  const sources: ParameterSources = { ...scope.sources, context };
  const chosen = selectTemplate(
    custom?.responseTemplates ?? {
      'application/json': DEFAULT_TEMPLATE,
    },
    scope.accept,
  ) ?? { contentType: 'application/json', template: DEFAULT_TEMPLATE };
  const body = renderVtl(chosen.template, {
    input: createVtlInput('', {
      path: sources.requestPath,
      querystring: sources.requestQuery,
      header: sources.requestHeaders,
    }),
    context,
    stageVariables: sources.stageVariables,
  });
  const headers: Record<string, string[]> = {};
  setHeader(headers, 'Content-Type', chosen.contentType);
  setHeader(headers, 'x-amzn-ErrorType', defaults.errorType);
  const mapped = mapResponseHeaders(custom?.responseParameters, 'gatewayresponse.header.', sources);
  for (const [name, value] of Object.entries(mapped)) setHeader(headers, name, value);
  return { statusCode, headers, body: Buffer.from(body, 'utf8') };
}
