import type { LambdaInvoker } from '../../model';
import type { GatewayError } from '../gateway-response-rendering';
import type { ParameterSources } from '../parameter-mapping';
import type { RestIncomingRequest } from '../proxy-event';
import type { ApiStage, RestApiDefinition, RestIntegrationDefinition } from '../rest-api-definition';
import type { RestResponse } from '../rest-response';
import type { RouteMatch } from '../route-matcher';

/**
 * Where the AWS services an `AWS` integration calls are reached: the endpoints functions get
 * (`AWS_ENDPOINT_URL_<SERVICE>`), keyed by service name (`dynamodb`, `sqs`), and the credentials to sign with.
 */
export interface AwsServiceAccess {
  readonly endpoints: Readonly<Record<string, string>>;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Everything an integration may read about one admitted request (routing, authorization and checks done). */
export interface IntegrationRequest {
  readonly definition: RestApiDefinition;
  readonly stage: ApiStage;
  readonly route: RouteMatch;
  /** The method's integration, as read at start. */
  readonly integration: RestIntegrationDefinition;
  readonly request: RestIncomingRequest;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly startedAt: number;
  /**
   * The integration's time limit (`TimeoutInMillis`, default 29 s), which the gateway enforces around the run:
   * an integration that can cancel its backend call uses it for that, rather than reading the setting again.
   */
  readonly timeoutMs: number;
  readonly authorizer?: Record<string, unknown>;
  readonly identity: Record<string, string | null>;
  /** `$context` for mapping templates. */
  readonly vtlContext: Record<string, unknown>;
  /** `method.request.*` and `stageVariables.*` values for mapping templates and parameter mappings. */
  readonly sources: Omit<ParameterSources, 'context'>;
  readonly region: string;
  readonly accountId: string;
  readonly invoker: LambdaInvoker;
  /** The AWS services `AWS` integrations reach. */
  readonly awsServices: AwsServiceAccess;
  /** One line into the REST API's log. */
  readonly log: (line: string) => void;
}

/** What an integration produced: the client's response, or a gateway response API Gateway sends instead. */
export type IntegrationOutcome = { readonly response: RestResponse } | { readonly error: GatewayError };

/**
 * One `Integration.Type` of AWS::ApiGateway::Method (AWS_PROXY, MOCK, …). A new type is a new file
 * implementing this and one entry in `INTEGRATIONS` (integration-registry.ts).
 */
export interface RestIntegration {
  run(request: IntegrationRequest): Promise<IntegrationOutcome>;
  /**
   * Why this method's integration cannot be served (an AWS service or action not emulated), or `undefined`.
   * Asked once per method at start, so start-up names what would fail rather than a request finding out.
   */
  unsupported?(integration: RestIntegrationDefinition): string | undefined;
}
