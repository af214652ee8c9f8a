import { createHash } from 'node:crypto';

/**
 * Local addresses the orchestrator serves, so that attributes and URLs in the template point at the local
 * cloud instead of AWS. Every member is optional: without it the real AWS form is used.
 */
export interface LocalEndpoints {
  /**
   * Replaces `<scheme>://<apiId>.execute-api.<region>.<urlSuffix>` for an API Gateway API (REST, HTTP or
   * WebSocket; `https` is also the WebSocket `@connections` management URL). Return an origin with an optional
   * path prefix and no trailing slash, e.g. `http://127.0.0.1:3000`; `undefined` keeps the AWS form.
   */
  readonly executeApi?: (apiId: string, scheme: 'https' | 'wss') => string | undefined;
  /** Base URL of the local SQS endpoint; queue URLs become `<sqs>/<accountId>/<queueName>`. */
  readonly sqs?: string;
  /**
   * Base URL of the local S3 endpoint (`http://127.0.0.1:<port>`): a bucket's `DomainName` becomes
   * `<bucket>.s3.localhost:<port>` (virtual-hosted style, which the endpoint serves), `RegionalDomainName`
   * `<bucket>.s3.<region>.localhost:<port>`.
   */
  readonly s3?: string;
  /** The local issuer of a user pool (`iss` of its tokens), replacing `https://cognito-idp.<region>.amazonaws.com/<id>`. */
  readonly cognitoIssuer?: (userPoolId: string) => string;
  /**
   * The local base URL of a Cognito prefix domain (`/oauth2/token`, `/oauth2/authorize` under it), replacing
   * `https://<prefix>.auth.<region>.amazoncognito.com`.
   */
  readonly cognitoDomain?: (domainPrefix: string) => string;
}

/** Everything a resource's identity may depend on. `property` resolves one top-level property on demand. */
export interface IdentityContext {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly endpoints: LocalEndpoints;
  property(name: string): unknown;
}

/** What `Ref` and `Fn::GetAtt` return for a resource. */
export interface ResourceIdentity {
  readonly physicalId: string;
  readonly attributes: Record<string, string>;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

/** A deterministic id of `length` characters from `alphabet`, derived from `seed` (stable across restarts). */
export function deterministicId(seed: string, length: number, alphabet: string = LOWER_ALNUM): string {
  let out = '';
  let round = 0;
  while (out.length < length) {
    for (const byte of digest(`${seed}#${round}`)) {
      if (out.length === length) break;
      out += alphabet[byte % alphabet.length];
    }
    round += 1;
  }
  return out;
}

/** A deterministic RFC 4122-shaped (version 4) UUID derived from `seed`. */
export function deterministicUuid(seed: string): string {
  const hex = digest(seed).toString('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The AWS-style issuer of a Cognito user pool, which is also what `ProviderURL` returns in AWS. */
export function awsCognitoIssuer(region: string, urlSuffix: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.${urlSuffix}/${userPoolId}`;
}

class IdentityBuilder {
  readonly seed: string;
  constructor(readonly ctx: IdentityContext) {
    this.seed = `${ctx.stackName}/${ctx.logicalId}`;
  }

  /** The name a template gives in `property`, else a deterministic `<stack>-<logicalId>`. */
  named(property: string, suffix = ''): string {
    const given = this.ctx.property(property);
    if (typeof given === 'string' && given) return given;
    return `${this.ctx.stackName}-${this.ctx.logicalId}${suffix}`;
  }

  id(length: number, alphabet?: string, salt = ''): string {
    return deterministicId(this.seed + salt, length, alphabet);
  }

  arn(service: string, resource: string, scope: 'regional' | 'global' | 'bare' = 'regional'): string {
    const { partition, region, accountId } = this.ctx;
    if (scope === 'bare') return `arn:${partition}:${service}:::${resource}`;
    return `arn:${partition}:${service}:${scope === 'regional' ? region : ''}:${accountId}:${resource}`;
  }

  functionArn(nameOrArn: unknown): string {
    const text = typeof nameOrArn === 'string' ? nameOrArn : `${this.ctx.stackName}-unknown`;
    return text.startsWith('arn:') ? text : this.arn('lambda', `function:${text}`);
  }

  apiEndpoint(apiId: string, scheme: 'https' | 'wss'): string {
    const { region, urlSuffix, endpoints } = this.ctx;
    return endpoints.executeApi?.(apiId, scheme) ?? `${scheme}://${apiId}.execute-api.${region}.${urlSuffix}`;
  }

  /** A resource whose `Ref` is a short generated id, also exposed under `attribute`. */
  idOnly(length: number, attribute?: string): ResourceIdentity {
    const physicalId = this.id(length);
    return { physicalId, attributes: attribute ? { [attribute]: physicalId } : {} };
  }
}

type IdentityRule = (b: IdentityBuilder) => ResourceIdentity;

function table(b: IdentityBuilder): ResourceIdentity {
  const name = b.named('TableName');
  const arn = b.arn('dynamodb', `table/${name}`);
  // A fixed stream label keeps the ARN stable across restarts; AWS uses the stream's creation time.
  return {
    physicalId: name,
    attributes: {
      Arn: arn,
      StreamArn: `${arn}/stream/1970-01-01T00:00:00.000`,
      TableId: deterministicUuid(b.seed),
    },
  };
}

function lambdaQualified(b: IdentityBuilder, qualifier: string, attribute: string): ResourceIdentity {
  const arn = `${b.functionArn(b.ctx.property('FunctionName'))}:${qualifier}`;
  return { physicalId: arn, attributes: { [attribute]: arn } };
}

const RULES: Record<string, IdentityRule> = {
  'AWS::Lambda::Function': (b) => {
    const name = b.named('FunctionName');
    return { physicalId: name, attributes: { Arn: b.arn('lambda', `function:${name}`) } };
  },
  'AWS::Lambda::Version': (b) => {
    const identity = lambdaQualified(b, '1', 'FunctionArn');
    return { physicalId: identity.physicalId, attributes: { ...identity.attributes, Version: '1' } };
  },
  'AWS::Lambda::Alias': (b) => lambdaQualified(b, String(b.ctx.property('Name') ?? 'live'), 'AliasArn'),
  'AWS::Lambda::EventSourceMapping': (b) => {
    const id = deterministicUuid(b.seed);
    return {
      physicalId: id,
      attributes: { Id: id, EventSourceMappingArn: b.arn('lambda', `event-source-mapping:${id}`) },
    };
  },
  'AWS::Lambda::LayerVersion': (b) => {
    const arn = b.arn('lambda', `layer:${b.named('LayerName')}:1`);
    return { physicalId: arn, attributes: { LayerVersionArn: arn } };
  },
  'AWS::DynamoDB::Table': table,
  'AWS::DynamoDB::GlobalTable': table,
  'AWS::SQS::Queue': (b) => {
    const fifo = b.ctx.property('FifoQueue') === true || b.ctx.property('FifoQueue') === 'true';
    const name = b.named('QueueName', fifo ? '.fifo' : '');
    const { accountId, region, urlSuffix, endpoints } = b.ctx;
    const base = endpoints.sqs?.replace(/\/+$/, '') ?? `https://sqs.${region}.${urlSuffix}`;
    const url = `${base}/${accountId}/${name}`;
    return { physicalId: url, attributes: { Arn: b.arn('sqs', name), QueueName: name, QueueUrl: url } };
  },
  'AWS::SNS::Topic': (b) => {
    const fifo = b.ctx.property('FifoTopic') === true || b.ctx.property('FifoTopic') === 'true';
    const name = b.named('TopicName', fifo ? '.fifo' : '');
    const arn = b.arn('sns', name);
    return { physicalId: arn, attributes: { TopicArn: arn, TopicName: name } };
  },
  'AWS::IAM::Role': (b) => {
    const name = b.named('RoleName');
    const path = b.ctx.property('Path');
    const arn = b.arn('iam', `role${typeof path === 'string' ? path : '/'}${name}`, 'global');
    return { physicalId: name, attributes: { Arn: arn, RoleId: `AROA${b.id(17, UPPER_ALNUM)}` } };
  },
  'AWS::IAM::ManagedPolicy': (b) => {
    const arn = b.arn('iam', `policy/${b.named('ManagedPolicyName')}`, 'global');
    return { physicalId: arn, attributes: { PolicyArn: arn } };
  },
  'AWS::Cognito::UserPool': (b) => {
    const { region, urlSuffix, endpoints } = b.ctx;
    const id = `${region}_${b.id(10, MIXED_ALNUM)}`;
    const issuer = endpoints.cognitoIssuer?.(id) ?? awsCognitoIssuer(region, urlSuffix, id);
    return {
      physicalId: id,
      attributes: {
        Arn: b.arn('cognito-idp', `userpool/${id}`),
        ProviderName: issuer.replace(/^[a-z]+:\/\//, ''),
        ProviderURL: issuer,
        UserPoolId: id,
      },
    };
  },
  'AWS::Cognito::UserPoolClient': (b) => {
    const id = b.id(26);
    return {
      physicalId: id,
      attributes: {
        ClientId: id,
        ClientSecret: b.id(51, LOWER_ALNUM, '#secret'),
        Name: b.named('ClientName'),
      },
    };
  },
  'AWS::Cognito::UserPoolGroup': (b) => ({ physicalId: b.named('GroupName'), attributes: {} }),
  // Ref is the Identifier, which CDK joins into scope names (`<identifier>/<scope>`).
  'AWS::Cognito::UserPoolResourceServer': (b) => ({ physicalId: b.named('Identifier'), attributes: {} }),
  'AWS::Cognito::UserPoolDomain': (b) => ({
    physicalId: b.named('Domain'),
    attributes: { CloudFrontDistribution: `${b.id(14)}.cloudfront.net` },
  }),
  'AWS::ApiGateway::RestApi': (b) => {
    const id = b.id(10);
    // Asked for only to claim this API's local port now: V2 APIs ask for theirs here too, so every API gets
    // its port in template order (a REST API first in the template keeps the first port).
    b.apiEndpoint(id, 'https');
    return { physicalId: id, attributes: { RestApiId: id, RootResourceId: b.id(10, LOWER_ALNUM, '#root') } };
  },
  'AWS::ApiGateway::Resource': (b) => b.idOnly(6, 'ResourceId'),
  'AWS::ApiGateway::Deployment': (b) => b.idOnly(6, 'DeploymentId'),
  'AWS::ApiGateway::Authorizer': (b) => b.idOnly(6, 'AuthorizerId'),
  'AWS::ApiGateway::RequestValidator': (b) => b.idOnly(6, 'RequestValidatorId'),
  'AWS::ApiGateway::UsagePlan': (b) => b.idOnly(6, 'Id'),
  'AWS::ApiGateway::UsagePlanKey': (b) => b.idOnly(10, 'Id'),
  'AWS::ApiGateway::ApiKey': (b) => b.idOnly(10, 'APIKeyId'),
  'AWS::ApiGateway::Stage': (b) => ({ physicalId: b.named('StageName'), attributes: {} }),
  'AWS::ApiGateway::Model': (b) => ({ physicalId: b.named('Name'), attributes: {} }),
  'AWS::ApiGateway::DomainName': (b) => {
    const regional = `d-${b.id(10)}.execute-api.${b.ctx.region}.${b.ctx.urlSuffix}`;
    return {
      physicalId: b.named('DomainName'),
      attributes: {
        DistributionDomainName: `${b.id(14)}.cloudfront.net`,
        DistributionHostedZoneId: 'Z2FDTNDATAQYW2',
        RegionalDomainName: regional,
        RegionalHostedZoneId: `Z${b.id(12, UPPER_ALNUM)}`,
      },
    };
  },
  'AWS::ApiGatewayV2::Api': (b) => {
    const id = b.id(10);
    const scheme = b.ctx.property('ProtocolType') === 'WEBSOCKET' ? 'wss' : 'https';
    return { physicalId: id, attributes: { ApiId: id, ApiEndpoint: b.apiEndpoint(id, scheme) } };
  },
  'AWS::ApiGatewayV2::Stage': (b) => ({ physicalId: b.named('StageName'), attributes: {} }),
  'AWS::ApiGatewayV2::Route': (b) => b.idOnly(7, 'RouteId'),
  'AWS::ApiGatewayV2::Integration': (b) => b.idOnly(7, 'IntegrationId'),
  'AWS::ApiGatewayV2::Authorizer': (b) => b.idOnly(7, 'AuthorizerId'),
  'AWS::ApiGatewayV2::Deployment': (b) => b.idOnly(7, 'DeploymentId'),
  'AWS::ApiGatewayV2::DomainName': (b) => ({
    physicalId: b.named('DomainName'),
    attributes: {
      RegionalDomainName: `d-${b.id(10)}.execute-api.${b.ctx.region}.${b.ctx.urlSuffix}`,
      RegionalHostedZoneId: `Z${b.id(12, UPPER_ALNUM)}`,
    },
  }),
  'AWS::Logs::LogGroup': (b) => {
    const name = b.named('LogGroupName');
    return { physicalId: name, attributes: { Arn: b.arn('logs', `log-group:${name}:*`) } };
  },
  'AWS::KMS::Key': (b) => {
    const id = deterministicUuid(b.seed);
    return { physicalId: id, attributes: { Arn: b.arn('kms', `key/${id}`), KeyId: id } };
  },
  'AWS::KMS::Alias': (b) => ({ physicalId: b.named('AliasName'), attributes: {} }),
  'AWS::S3::Bucket': (b) => {
    const given = b.ctx.property('BucketName');
    const { stackName, logicalId, region, urlSuffix, endpoints } = b.ctx;
    // Bucket names are lowercase DNS labels; generated ones get a hash so two stacks cannot collide.
    const name =
      typeof given === 'string' && given
        ? given
        : `${stackName}-${logicalId}-${b.id(12)}`.toLowerCase().slice(0, 63);
    const localPort = endpoints.s3 ? new URL(endpoints.s3).port : undefined;
    const [domain, regional] = localPort
      ? [`${name}.s3.localhost:${localPort}`, `${name}.s3.${region}.localhost:${localPort}`]
      : [`${name}.s3.${urlSuffix}`, `${name}.s3.${region}.${urlSuffix}`];
    return {
      physicalId: name,
      attributes: {
        Arn: b.arn('s3', name, 'bare'),
        DomainName: domain,
        RegionalDomainName: regional,
        DualStackDomainName: `${name}.s3.dualstack.${region}.${urlSuffix}`,
        WebsiteURL: `http://${name}.s3-website-${region}.${urlSuffix}`,
      },
    };
  },
  'AWS::Events::Rule': (b) => {
    const name = b.named('Name');
    return { physicalId: name, attributes: { Arn: b.arn('events', `rule/${name}`) } };
  },
  'AWS::Events::EventBus': (b) => {
    const name = b.named('Name');
    return { physicalId: name, attributes: { Arn: b.arn('events', `event-bus/${name}`), Name: name } };
  },
  'AWS::StepFunctions::StateMachine': (b) => {
    const name = b.named('StateMachineName');
    const arn = b.arn('states', `stateMachine:${name}`);
    return { physicalId: arn, attributes: { Arn: arn, Name: name } };
  },
  'AWS::SecretsManager::Secret': (b) => {
    const arn = b.arn('secretsmanager', `secret:${b.named('Name')}-${b.id(6, MIXED_ALNUM)}`);
    return { physicalId: arn, attributes: { Id: arn } };
  },
  'AWS::SSM::Parameter': (b) => {
    const value = b.ctx.property('Value');
    const type = b.ctx.property('Type');
    return {
      physicalId: b.named('Name'),
      attributes: {
        ...(typeof value === 'string' ? { Value: value } : {}),
        ...(typeof type === 'string' ? { Type: type } : {}),
      },
    };
  },
  'AWS::CloudWatch::Alarm': (b) => {
    const name = b.named('AlarmName');
    return { physicalId: name, attributes: { Arn: b.arn('cloudwatch', `alarm:${name}`) } };
  },
  'AWS::CloudWatch::Dashboard': (b) => ({ physicalId: b.named('DashboardName'), attributes: {} }),
};

/** The generic fallback: `<logicalId>-<shorthash>` and an ARN in the type's service namespace. */
function generic(b: IdentityBuilder): ResourceIdentity {
  const physicalId = `${b.ctx.logicalId}-${digest(b.seed).toString('hex').slice(0, 8).toUpperCase()}`;
  const [, service = 'unknown', kind = 'resource'] = b.ctx.type.split('::');
  return {
    physicalId,
    attributes: { Arn: b.arn(service.toLowerCase(), `${kind.toLowerCase()}/${physicalId}`) },
  };
}

/**
 * The local physical id and attributes of a resource: deterministic from stack and logical id, or taken from
 * the name the template gives it, so they are stable across restarts of the same cdk.out.
 */
export function resourceIdentity(ctx: IdentityContext): ResourceIdentity {
  const builder = new IdentityBuilder(ctx);
  return (RULES[ctx.type] ?? generic)(builder);
}
