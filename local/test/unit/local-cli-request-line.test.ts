import { FunctionNames, formatRequest } from '../../cli/console-output';
import type { LocalCloudModel } from '../../model';
import type { RequestRecord } from '../../request-records';

const model: LocalCloudModel = {
  region: 'us-east-1',
  accountId: '000000000000',
  resources: [
    {
      stackName: 'App',
      logicalId: 'HelloFn6A3B9C2D',
      type: 'AWS::Lambda::Function',
      physicalId: 'App-HelloFn6A3B9C2D-x1',
      properties: {},
      attributes: {},
    },
    {
      stackName: 'App',
      logicalId: 'NamedFnAAAAAAAA',
      type: 'AWS::Lambda::Function',
      physicalId: 'my-named-function',
      properties: { FunctionName: 'my-named-function' },
      attributes: {},
    },
  ],
};

const record = (overrides: Partial<RequestRecord> = {}): RequestRecord => ({
  kind: 'REST API',
  api: 'HelloApi',
  method: 'GET',
  path: '/prod/hello',
  status: 200,
  durationMs: 12.4,
  functions: ['App-HelloFn6A3B9C2D-x1'],
  calls: [],
  ...overrides,
});

describe('the request line', () => {
  const names = new FunctionNames(model);

  it('gives time, method, path, status, duration and the API with the function it ran', () => {
    expect(formatRequest(record(), names)).toMatch(
      /^\d\d:\d\d:\d\d {2}GET {5}\/prod\/hello {15}200 {2}\s+12 ms {2}HelloApi → HelloFn$/,
    );
  });

  it('ends with the number of calls the request made to each service', () => {
    const calls = [
      { service: 'dynamodb', operation: 'GetItem' },
      { service: 'sqs', operation: 'SendMessage' },
      { service: 'dynamodb', operation: 'PutItem' },
    ];
    expect(formatRequest(record({ calls }), names)).toMatch(/HelloApi → HelloFn {2}dynamodb 2 · sqs 1$/);
  });

  it('adds the authorizer and stage-cache outcomes only when they apply', () => {
    const line = formatRequest(record({ authorizer: { cache: 'hit' }, stageCache: 'miss' }), names);
    expect(line).toMatch(/HelloApi → HelloFn {2}auth hit {2}cache miss$/);
    expect(formatRequest(record({ functions: [] }), names)).toMatch(/ms {2}HelloApi$/);
  });

  it("keeps a function name the app chose, and shortens CDK's generated one to the construct id", () => {
    expect(names.short('my-named-function')).toBe('my-named-function');
    expect(names.short('App-HelloFn6A3B9C2D-x1')).toBe('HelloFn');
  });
});
