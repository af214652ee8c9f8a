import { conditionHolds, globMatch } from '../../iam/condition-operators';
import { parsePolicyDocument } from '../../iam/policy-document';
import {
  type AuthorizationRequest,
  accessDeniedMessage,
  evaluate,
  type Principal,
} from '../../iam/policy-evaluation';

const ACCOUNT = '123456789012';
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Orders`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/OrdersFnRole`;

const policy = (...statements: object[]) =>
  parsePolicyDocument('test', { Version: '2012-10-17', Statement: statements });

const session = (statements: object[], tags: Record<string, string> = {}): Principal => ({
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/OrdersFnRole/orders-fn`,
  kind: 'assumed-role',
  accountId: ACCOUNT,
  roleArn: ROLE_ARN,
  identityPolicies: statements.length > 0 ? [policy(...statements)] : [],
  tags,
});

const ask = (principal: Principal, request: Partial<AuthorizationRequest> = {}) =>
  evaluate({ principal, action: 'dynamodb:GetItem', resource: TABLE, ...request });

describe('IAM policy evaluation (the IAM User Guide\'s "Policy evaluation logic")', () => {
  it('denies by default: no statement allows the action', () => {
    expect(ask(session([]))).toEqual({ allowed: false, reason: 'no identity-based policy allows' });
  });

  it('allows an action a statement names, matching action names case-insensitively and with wildcards', () => {
    expect(ask(session([{ Effect: 'Allow', Action: 'DynamoDB:getitem', Resource: TABLE }])).allowed).toBe(
      true,
    );
    expect(ask(session([{ Effect: 'Allow', Action: 'dynamodb:Get*', Resource: TABLE }])).allowed).toBe(true);
    expect(ask(session([{ Effect: 'Allow', Action: 'dynamodb:?etItem', Resource: TABLE }])).allowed).toBe(
      true,
    );
    expect(ask(session([{ Effect: 'Allow', Action: 'dynamodb:Put*', Resource: TABLE }])).allowed).toBe(false);
  });

  it('lets an explicit Deny override any Allow', () => {
    const principal = session([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', Action: 'dynamodb:GetItem', Resource: TABLE },
    ]);
    expect(ask(principal)).toEqual({
      allowed: false,
      reason: 'an explicit deny in an identity-based policy',
    });
  });

  it('matches resource ARNs with wildcards, an index being a resource of its own', () => {
    const principal = session([{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: [TABLE] }]);
    expect(ask(principal, { action: 'dynamodb:Query' }).allowed).toBe(true);
    expect(ask(principal, { action: 'dynamodb:Query', resource: `${TABLE}/index/GSI1` }).allowed).toBe(false);
    const withIndexes = session([
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: [TABLE, `${TABLE}/index/*`] },
    ]);
    expect(ask(withIndexes, { action: 'dynamodb:Query', resource: `${TABLE}/index/GSI1` }).allowed).toBe(
      true,
    );
    const anyRegion = session([
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:*:*:table/Ord*' },
    ]);
    expect(ask(anyRegion).allowed).toBe(true);
  });

  it('applies NotAction and NotResource as "everything except"', () => {
    // The documented pattern: deny everything except IAM actions, allow everything.
    const principal = session([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' },
    ]);
    expect(ask(principal).allowed).toBe(false);
    expect(ask(principal, { action: 'iam:GetRole', resource: ROLE_ARN }).allowed).toBe(true);
    const notResource = session([{ Effect: 'Allow', Action: 'dynamodb:*', NotResource: `${TABLE}*` }]);
    expect(ask(notResource).allowed).toBe(false);
    expect(ask(notResource, { resource: `${TABLE.replace('Orders', 'Catalog')}` }).allowed).toBe(true);
  });

  it('scopes leading keys to the principal tag with ForAllValues:StringLike (the documented fine-grained access pattern)', () => {
    const principal = session(
      [
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
          Resource: TABLE,
          Condition: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#${aws:PrincipalTag/tenantId}*'] },
          },
        },
      ],
      { tenantId: 't1' },
    );
    expect(ask(principal, { context: { 'dynamodb:LeadingKeys': ['TENANT#t1'] } }).allowed).toBe(true);
    expect(ask(principal, { context: { 'dynamodb:LeadingKeys': ['TENANT#t2'] } }).allowed).toBe(false);
    expect(ask(principal, { context: { 'dynamodb:LeadingKeys': ['TENANT#t1', 'TENANT#t2'] } }).allowed).toBe(
      false,
    );
    // ForAllValues holds when the request has no value for the key: a Scan names no leading key (a documented pitfall).
    expect(ask(principal, { action: 'dynamodb:Scan' }).allowed).toBe(true);
    // Without the tag, the policy variable resolves to nothing and the condition matches no key.
    const untagged = { ...principal, tags: {} };
    expect(ask(untagged, { context: { 'dynamodb:LeadingKeys': ['TENANT#t1'] } }).allowed).toBe(false);
  });

  it('limits dynamodb:Attributes with ForAllValues:StringEquals: every requested attribute must be listed', () => {
    const principal = session([
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: TABLE,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'status'] } },
      },
    ]);
    expect(ask(principal, { context: { 'dynamodb:Attributes': ['pk', 'status'] } }).allowed).toBe(true);
    expect(ask(principal, { context: { 'dynamodb:Attributes': ['pk', 'secret'] } }).allowed).toBe(false);
  });

  it('takes the resource-based policy: a named principal is allowed by it alone, the account only delegates to IAM', () => {
    const named = policy({
      Effect: 'Allow',
      Principal: { AWS: ROLE_ARN },
      Action: 'sqs:SendMessage',
      Resource: '*',
    });
    const queue = `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`;
    expect(ask(session([]), { action: 'sqs:SendMessage', resource: queue, resourcePolicy: named })).toEqual({
      allowed: true,
      by: 'resource-based policy',
    });
    const account = policy({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'sqs:SendMessage',
      Resource: '*',
    });
    expect(
      ask(session([]), { action: 'sqs:SendMessage', resource: queue, resourcePolicy: account }).allowed,
    ).toBe(false);
    const deny = policy({ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: '*' });
    const allowed = session([{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }]);
    expect(ask(allowed, { action: 'sqs:SendMessage', resource: queue, resourcePolicy: deny })).toEqual({
      allowed: false,
      reason: 'an explicit deny in a resource-based policy',
    });
  });

  it("does not apply CDK's enforceSSL deny: every local call counts as over TLS", () => {
    const enforceSsl = policy({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const allowed = session([{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }]);
    expect(
      ask(allowed, {
        action: 'sqs:SendMessage',
        resource: 'arn:aws:sqs:us-east-1:1:q',
        resourcePolicy: enforceSsl,
      }).allowed,
    ).toBe(true);
  });

  it('allows a service principal a Lambda permission names for a matching source ARN only', () => {
    const permission = policy({
      Effect: 'Allow',
      Principal: { Service: 'apigateway.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: '*',
      Condition: {
        ArnLike: { 'AWS:SourceArn': `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/*/GET/orders/*` },
      },
    });
    const apiGateway: Principal = {
      arn: 'apigateway.amazonaws.com',
      kind: 'service',
      accountId: ACCOUNT,
      identityPolicies: [],
      tags: {},
    };
    const invoke = (sourceArn: string) =>
      ask(apiGateway, {
        action: 'lambda:InvokeFunction',
        resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn`,
        resourcePolicy: permission,
        context: { 'aws:SourceArn': sourceArn },
      }).allowed;
    expect(invoke(`arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/prod/GET/orders/42`)).toBe(true);
    expect(invoke(`arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/prod/POST/orders/42`)).toBe(false);
    expect(invoke(`arn:aws:execute-api:us-east-1:${ACCOUNT}:other/prod/GET/orders/42`)).toBe(false);
  });

  it("words refusals as AWS's AccessDenied messages", () => {
    const request = { principal: session([]), action: 'dynamodb:GetItem', resource: TABLE };
    expect(accessDeniedMessage(request, 'no identity-based policy allows')).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/OrdersFnRole/orders-fn is not authorized to perform: dynamodb:GetItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:GetItem action`,
    );
    expect(accessDeniedMessage(request, 'an explicit deny in an identity-based policy')).toMatch(
      / on resource: \S+ with an explicit deny in an identity-based policy$/,
    );
  });
});

describe('condition operators (the IAM User Guide\'s "Condition operators")', () => {
  const context = new Map<string, string | readonly string[]>([
    ['aws:principaltag/team', 'blue'],
    ['s3:prefix', 'home/alice/'],
    ['aws:tagkeys', ['team', 'cost']],
  ]);
  const holds = (operator: string, key: string, values: string[]) =>
    conditionHolds(operator, key, values, context);

  it('matches any of several values (OR) and keys case-insensitively', () => {
    expect(holds('StringEquals', 'aws:PrincipalTag/Team', ['red', 'blue'])).toBe(true);
    expect(holds('StringEquals', 'aws:PrincipalTag/team', ['red'])).toBe(false);
    expect(holds('StringEqualsIgnoreCase', 'aws:PrincipalTag/team', ['BLUE'])).toBe(true);
  });

  it('StringLike takes * and ? wildcards; s3:prefix is compared as any other string', () => {
    expect(holds('StringLike', 's3:prefix', ['home/alice/*'])).toBe(true);
    expect(holds('StringLike', 's3:prefix', ['home/bob/*'])).toBe(false);
    expect(holds('StringNotLike', 's3:prefix', ['home/bob/*'])).toBe(true);
  });

  it('a key the request lacks fails a positive operator, holds a negated one, an IfExists one and a ForAllValues one', () => {
    expect(holds('StringEquals', 'aws:PrincipalTag/missing', ['x'])).toBe(false);
    expect(holds('StringNotEquals', 'aws:PrincipalTag/missing', ['x'])).toBe(true);
    expect(holds('StringEqualsIfExists', 'aws:PrincipalTag/missing', ['x'])).toBe(true);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys2', ['x'])).toBe(true);
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys2', ['x'])).toBe(false);
  });

  it('set operators compare every value of a multivalued key', () => {
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team', 'cost', 'env'])).toBe(true);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['team'])).toBe(false);
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['team'])).toBe(true);
    expect(holds('ForAnyValue:StringLike', 'aws:TagKeys', ['co*'])).toBe(true);
  });

  it('Null tests presence; Bool compares true/false; numeric and ARN operators compare as their types', () => {
    expect(holds('Null', 'aws:PrincipalTag/missing', ['true'])).toBe(true);
    expect(holds('Null', 'aws:PrincipalTag/team', ['false'])).toBe(true);
    const more = new Map<string, string | readonly string[]>([
      ['aws:securetransport', 'true'],
      ['dynamodb:limit', '25'],
      ['aws:sourcearn', 'arn:aws:sqs:us-east-1:1:queue'],
    ]);
    expect(conditionHolds('Bool', 'aws:SecureTransport', ['True'], more)).toBe(true);
    expect(conditionHolds('NumericLessThanEquals', 'dynamodb:Limit', ['100'], more)).toBe(true);
    expect(conditionHolds('ArnLike', 'aws:SourceArn', ['arn:aws:sqs:*:1:*'], more)).toBe(true);
    expect(conditionHolds('ArnEquals', 'aws:SourceArn', ['arn:aws:sqs:us-east-1:1:other'], more)).toBe(false);
  });

  it('IAM wildcards span slashes and colons', () => {
    expect(globMatch('arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c')).toBe(true);
    expect(globMatch('a?c', 'abc')).toBe(true);
    expect(globMatch('a?c', 'abbc')).toBe(false);
  });
});
