import { parseLambdaAuthorizerOutput } from '../../gateway/lambda-authorizer-result';
import { evaluatePolicy, wildcardMatch } from '../../gateway/policy-evaluation';

const ARN = 'arn:aws:execute-api:us-east-1:111122223333:abc123/prod/GET/orders/42';
const allow = (Resource: string | string[], Action: string | string[] = 'execute-api:Invoke') => ({
  Effect: 'Allow',
  Action,
  Resource,
});

describe('authorizer policy evaluation', () => {
  it('evaluates another action when asked: an Invoke grant does not grant execute-api:InvalidateCache', () => {
    const INVALIDATE = 'execute-api:InvalidateCache';
    expect(evaluatePolicy({ Statement: [allow(ARN)] }, ARN, INVALIDATE)).toBe('ImplicitDeny');
    expect(evaluatePolicy({ Statement: [allow(ARN, [INVALIDATE])] }, ARN, INVALIDATE)).toBe('Allow');
    expect(evaluatePolicy({ Statement: [allow(ARN, 'execute-api:*')] }, ARN, INVALIDATE)).toBe('Allow');
    // And an InvalidateCache grant alone does not let the request in.
    expect(evaluatePolicy({ Statement: [allow(ARN, [INVALIDATE])] }, ARN)).toBe('ImplicitDeny');
  });

  it('allows a method its exact ARN allows', () => {
    expect(evaluatePolicy({ Statement: [allow(ARN)] }, ARN)).toBe('Allow');
  });

  it('denies implicitly when no statement covers the method', () => {
    expect(evaluatePolicy({ Statement: [allow(ARN.replace('GET', 'POST'))] }, ARN)).toBe('ImplicitDeny');
  });

  it('lets * span path segments and ? match exactly one character', () => {
    expect(
      evaluatePolicy({ Statement: [allow('arn:aws:execute-api:us-east-1:111122223333:abc123/prod/*')] }, ARN),
    ).toBe('Allow');
    expect(
      evaluatePolicy({ Statement: [allow('arn:aws:execute-api:*:*:abc123/*/GET/orders/4?')] }, ARN),
    ).toBe('Allow');
    expect(evaluatePolicy({ Statement: [allow('arn:aws:execute-api:*:*:abc123/*/GET/orders/?')] }, ARN)).toBe(
      'ImplicitDeny',
    );
  });

  it('treats regex characters in resources literally', () => {
    expect(wildcardMatch('arn:a.c', 'arn:abc')).toBe(false);
    expect(wildcardMatch('arn:(x)+', 'arn:(x)+')).toBe(true);
  });

  it('lets a matching Deny win over an Allow whatever the statement order', () => {
    const deny = { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*/prod/GET/orders/*' };
    expect(evaluatePolicy({ Statement: [allow('*'), deny] }, ARN)).toBe('ExplicitDeny');
    expect(evaluatePolicy({ Statement: [deny, allow('*')] }, ARN)).toBe('ExplicitDeny');
  });

  it('ignores a Deny for another method', () => {
    const deny = { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*/prod/DELETE/*' };
    expect(evaluatePolicy({ Statement: [allow('*'), deny] }, ARN)).toBe('Allow');
  });

  it('accepts execute-api:Invoke, execute-api:* and * as actions, case-insensitively, and nothing else', () => {
    for (const action of [
      'execute-api:Invoke',
      'execute-api:*',
      '*',
      'EXECUTE-API:invoke',
      ['s3:GetObject', 'execute-api:*'],
    ]) {
      expect(evaluatePolicy({ Statement: [allow(ARN, action)] }, ARN)).toBe('Allow');
    }
    for (const action of ['execute-api:ManageConnections', 's3:*', 'lambda:InvokeFunction']) {
      expect(evaluatePolicy({ Statement: [allow(ARN, action)] }, ARN)).toBe('ImplicitDeny');
    }
  });

  it('evaluates every resource of a statement and every statement of a policy', () => {
    const other = 'arn:aws:execute-api:us-east-1:111122223333:abc123/prod/GET/catalog';
    const policy = { Statement: [allow([other, ARN]), allow('arn:aws:execute-api:*:*:zzz/*')] };
    expect(evaluatePolicy(policy, ARN)).toBe('Allow');
    expect(evaluatePolicy(policy, other)).toBe('Allow');
    expect(evaluatePolicy(policy, ARN.replace('42', '43'))).toBe('ImplicitDeny');
  });

  it('honours NotResource', () => {
    const statement = { Effect: 'Allow', Action: '*', NotResource: '*/DELETE/*' };
    expect(evaluatePolicy({ Statement: [statement] }, ARN)).toBe('Allow');
    expect(evaluatePolicy({ Statement: [statement] }, ARN.replace('GET', 'DELETE'))).toBe('ImplicitDeny');
  });
});

describe('Lambda authorizer output checking', () => {
  const policyDocument = { Version: '2012-10-17', Statement: [allow(ARN)] };

  it('stringifies numbers and booleans of the context and keeps the usage identifier key', () => {
    const output = parseLambdaAuthorizerOutput({
      principalId: 'user-1',
      policyDocument,
      context: { tenantId: 'tnt_1', seats: 5, ratio: 1.5, admin: true, off: false },
      usageIdentifierKey: 'key-123',
    });
    expect(output?.context).toEqual({
      tenantId: 'tnt_1',
      seats: '5',
      ratio: '1.5',
      admin: 'true',
      off: 'false',
    });
    expect(output?.usageIdentifierKey).toBe('key-123');
    expect(output?.principalId).toBe('user-1');
  });

  it('accepts a single Statement object as IAM does', () => {
    expect(
      parseLambdaAuthorizerOutput({ principalId: 'p', policyDocument: { Statement: allow(ARN) } })?.policy
        .Statement,
    ).toHaveLength(1);
  });

  it.each([
    ['no policy document', { principalId: 'p' }],
    ['no principal id', { policyDocument }],
    ['an object in the context', { principalId: 'p', policyDocument, context: { nested: { a: 1 } } }],
    ['an array in the context', { principalId: 'p', policyDocument, context: { list: [1] } }],
    [
      'a statement without Effect',
      { principalId: 'p', policyDocument: { Statement: [{ Action: '*', Resource: '*' }] } },
    ],
    [
      'a statement without Resource',
      { principalId: 'p', policyDocument: { Statement: [{ Effect: 'Allow', Action: '*' }] } },
    ],
    ['a non-string usage identifier key', { principalId: 'p', policyDocument, usageIdentifierKey: 42 }],
    ['a string instead of an object', 'Allow'],
  ])('refuses a result with %s', (_label, result) => {
    expect(parseLambdaAuthorizerOutput(result)).toBeUndefined();
  });
});
