import { localFunctionFromResource, UnsupportedFunctionError } from '../../lambda';
import type { LocalResource } from '../../model';

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:app-Orders-1A2B3C';

function resource(
  properties: Record<string, unknown>,
  overrides: Partial<LocalResource> = {},
): LocalResource {
  return {
    stackName: 'App',
    logicalId: 'OrdersFn',
    type: 'AWS::Lambda::Function',
    physicalId: 'app-Orders-1A2B3C',
    properties: {
      Code: { S3Bucket: 'cdk-assets', S3Key: 'abc.zip' },
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      ...properties,
    },
    attributes: { Arn: ARN },
    ...overrides,
  };
}

describe('localFunctionFromResource', () => {
  it('takes name, ARN, handler, runtime and code directory from the resource, with Lambda defaults for memory and timeout', () => {
    expect(localFunctionFromResource(resource({}), '/abs/cdk.out/asset.abc')).toEqual({
      functionName: 'app-Orders-1A2B3C',
      arn: ARN,
      handler: 'index.handler',
      code: { directory: '/abs/cdk.out/asset.abc' },
      runtime: 'nodejs24.x',
      memorySize: 128,
      timeout: 3,
      environment: {},
    });
  });

  it('reads MemorySize, Timeout and environment variables, turning non-string values into strings', () => {
    const fn = localFunctionFromResource(
      resource({
        MemorySize: 1024,
        Timeout: '29',
        Environment: { Variables: { TABLE_NAME: 'orders', RETRIES: 3, ENABLED: true } },
      }),
      '/abs/asset',
    );

    expect(fn.memorySize).toBe(1024);
    expect(fn.timeout).toBe(29);
    expect(fn.environment).toEqual({ TABLE_NAME: 'orders', RETRIES: '3', ENABLED: 'true' });
  });

  it('uses inline ZipFile source when the code is inline, without needing an asset directory', () => {
    const fn = localFunctionFromResource(resource({ Code: { ZipFile: 'exports.handler = async () => 1;' } }));

    expect(fn.code).toEqual({ zipFile: 'exports.handler = async () => 1;' });
  });

  it.each([
    ['a Python function', { Runtime: 'python3.13' }, /runtime python3\.13; only nodejs\* runtimes/],
    ['a container image', { PackageType: 'Image', Runtime: undefined }, /container image/],
    ['a function without a handler', { Handler: undefined }, /no Handler/],
    ['a negative timeout', { Timeout: -1 }, /Timeout -1; expected a positive number/],
  ])('refuses %s with an UnsupportedFunctionError', (_what, properties, message) => {
    const build = () => localFunctionFromResource(resource(properties), '/abs/asset');

    expect(build).toThrow(UnsupportedFunctionError);
    expect(build).toThrow(message);
  });

  it('refuses asset code when no asset directory is given', () => {
    expect(() => localFunctionFromResource(resource({}))).toThrow(/no inline code and no asset directory/);
  });

  it('refuses resources that are not Lambda functions', () => {
    expect(() => localFunctionFromResource(resource({}, { type: 'AWS::SQS::Queue' }), '/abs')).toThrow(
      /is a AWS::SQS::Queue, not an AWS::Lambda::Function/,
    );
  });
});
