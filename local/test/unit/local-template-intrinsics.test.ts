// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these are CloudFormation Fn::Sub strings, not JS templates
import { parseTemplate } from '../../template/cfn-template';
import { TemplateResolutionError } from '../../template/intrinsics';
import { type StackEnvironment, StackResolver } from '../../template/stack-resolver';

const ENV: StackEnvironment = {
  region: 'eu-west-1',
  accountId: '111122223333',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  endpoints: {},
  parameters: {},
  importValue: (name) => {
    if (name === 'Shared:TableName') return 'shared-table';
    throw new TemplateResolutionError(`no export ${name}`);
  },
  stackOutput: (stackName, outputName) => `${stackName}.${outputName}`,
};

function resolverFor(template: Record<string, unknown>, env: Partial<StackEnvironment> = {}): StackResolver {
  return new StackResolver('Shop', parseTemplate('Shop', template), { ...ENV, ...env });
}

/** Resolves one resource's properties, `value` being the only property. */
function resolveProperty(value: unknown, extra: Record<string, unknown> = {}): unknown {
  const resolver = resolverFor({
    ...extra,
    Resources: {
      ...((extra.Resources as Record<string, unknown> | undefined) ?? {}),
      Subject: { Type: 'Test::Subject', Properties: { Value: value } },
    },
  });
  const subject = resolver.resources().find((r) => r.logicalId === 'Subject');
  return subject?.properties.Value;
}

const FUNCTION = { Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'orders-fn' } } };
const TABLE = { Table: { Type: 'AWS::DynamoDB::Table', Properties: {} } };

describe('pseudo parameters', () => {
  it('resolves region, account, partition, URL suffix and stack name', () => {
    const value = resolveProperty({
      Fn: {
        'Fn::Join': [
          '|',
          ['AWS::Region', 'AWS::AccountId', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::StackName'].map(
            (Ref) => ({ Ref }),
          ),
        ],
      },
    });
    expect(value).toEqual({ Fn: 'eu-west-1|111122223333|aws|amazonaws.com|Shop' });
  });

  it('gives a stack id in the CloudFormation ARN form that is the same on every load', () => {
    const first = resolveProperty({ Ref: 'AWS::StackId' });
    expect(first).toMatch(/^arn:aws:cloudformation:eu-west-1:111122223333:stack\/Shop\/[0-9a-f-]{36}$/);
    expect(resolveProperty({ Ref: 'AWS::StackId' })).toBe(first);
  });

  it('removes a key, and a list element, that resolve to AWS::NoValue', () => {
    const value = resolveProperty({
      Keep: 'yes',
      Drop: { Ref: 'AWS::NoValue' },
      List: ['a', { Ref: 'AWS::NoValue' }, 'b'],
    });
    expect(value).toEqual({ Keep: 'yes', List: ['a', 'b'] });
  });
});

describe('parameters', () => {
  const parameters = {
    Parameters: {
      Stage: { Type: 'String', Default: 'dev' },
      Size: { Type: 'Number', Default: 3 },
      Zones: { Type: 'CommaDelimitedList', Default: 'a,b' },
      BootstrapVersion: {
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: '/cdk-bootstrap/hnb659fds/version',
      },
      Required: { Type: 'String' },
    },
  };

  it('uses the Default, as a string, and lists for list-typed parameters', () => {
    const value = resolveProperty([{ Ref: 'Stage' }, { Ref: 'Size' }, { Ref: 'Zones' }], parameters);
    expect(value).toEqual(['dev', '3', ['a', 'b']]);
  });

  it('uses a placeholder for an SSM-typed parameter such as CDK BootstrapVersion', () => {
    expect(resolveProperty({ Ref: 'BootstrapVersion' }, parameters)).toBe(
      'local-ssm:/cdk-bootstrap/hnb659fds/version',
    );
  });

  it('prefers a value given in the options over the Default', () => {
    const resolver = resolverFor(
      {
        ...parameters,
        Resources: { Subject: { Type: 'Test::Subject', Properties: { Value: { Ref: 'Stage' } } } },
      },
      { parameters: { Stage: 'prod' } },
    );
    expect(resolver.resources()[0]?.properties.Value).toBe('prod');
  });

  it('fails naming the parameter when it has no Default and no value was given', () => {
    expect(() => resolveProperty({ Ref: 'Required' }, parameters)).toThrow(
      /Shop\/Subject.*parameter Required has no Default/,
    );
  });
});

describe('Ref and Fn::GetAtt on resources', () => {
  it('resolves Ref to the physical id and GetAtt in its array and dotted-string forms', () => {
    const value = resolveProperty(
      {
        name: { Ref: 'Fn' },
        arn: { 'Fn::GetAtt': ['Fn', 'Arn'] },
        stream: { 'Fn::GetAtt': 'Table.StreamArn' },
      },
      { Resources: { ...FUNCTION, ...TABLE } },
    );
    expect(value).toEqual({
      name: 'orders-fn',
      arn: 'arn:aws:lambda:eu-west-1:111122223333:function:orders-fn',
      stream: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Shop-Table/stream/1970-01-01T00:00:00.000',
    });
  });

  it('resolves an attribute name given as a Ref in the array form', () => {
    const value = resolveProperty(
      { 'Fn::GetAtt': ['Fn', { Ref: 'Attr' }] },
      { Parameters: { Attr: { Type: 'String', Default: 'Arn' } }, Resources: FUNCTION },
    );
    expect(value).toBe('arn:aws:lambda:eu-west-1:111122223333:function:orders-fn');
  });

  it('gives a stable placeholder for attributes it does not model, such as nested stack outputs', () => {
    const value = resolveProperty(
      { 'Fn::GetAtt': 'Nested.Outputs.BucketName' },
      { Resources: { Nested: { Type: 'AWS::CloudFormation::Stack', Properties: {} } } },
    );
    expect(value).toMatch(/^Nested-[0-9A-F]{8}\.Outputs\.BucketName$/);
  });

  it('fails naming the resource and property path for a reference to a missing resource', () => {
    expect(() => resolveProperty({ Deep: [{ Ref: 'Missing' }] })).toThrow(
      'Shop/Subject at Properties.Value.Deep[0].Ref: Ref to Missing, which is not in the template',
    );
  });

  it('resolves a physical name that is itself built with intrinsics', () => {
    const value = resolveProperty(
      { Ref: 'Named' },
      {
        Resources: {
          Named: {
            Type: 'AWS::Lambda::Function',
            Properties: { FunctionName: { 'Fn::Sub': '${AWS::StackName}-api' } },
          },
        },
      },
    );
    expect(value).toBe('Shop-api');
  });

  it('fails with the chain when names reference each other in a cycle', () => {
    const template = {
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['B', 'QueueName'] } } },
        B: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['A', 'QueueName'] } } },
      },
    };
    expect(() => resolverFor(template).resources()).toThrow(
      /circular reference resource A -> resource B -> resource A/,
    );
  });
});

describe('string functions', () => {
  it('joins a list, including one produced by another intrinsic', () => {
    expect(resolveProperty({ 'Fn::Join': ['-', { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('a-b-c');
  });

  it('substitutes pseudo parameters, resource refs, attributes and keeps ${!Literal} literal', () => {
    const value = resolveProperty(
      { 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}/${Fn}/${Fn.Arn}/${!Literal}' },
      { Resources: FUNCTION },
    );
    expect(value).toBe(
      'arn:aws:x:eu-west-1/orders-fn/arn:aws:lambda:eu-west-1:111122223333:function:orders-fn/${Literal}',
    );
  });

  it('substitutes variables from the map form, whose values may be intrinsics', () => {
    const value = resolveProperty(
      { 'Fn::Sub': ['${Name}.${Suffix} in ${AWS::Region}', { Name: { Ref: 'Fn' }, Suffix: 'fn' }] },
      { Resources: FUNCTION },
    );
    expect(value).toBe('orders-fn.fn in eu-west-1');
  });

  it('selects from a split string and from the availability zones of the region', () => {
    expect(resolveProperty({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(resolveProperty({ 'Fn::Select': ['0', { 'Fn::GetAZs': '' }] })).toBe('eu-west-1a');
    expect(resolveProperty({ 'Fn::GetAZs': { Ref: 'AWS::Region' } })).toEqual([
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
  });

  it('fails when Fn::Select is out of range', () => {
    expect(() => resolveProperty({ 'Fn::Select': [3, ['a']] })).toThrow(
      /Fn::Select index 3 is outside a list of 1/,
    );
  });

  it('encodes Fn::Base64 and computes Fn::Cidr subnets', () => {
    expect(resolveProperty({ 'Fn::Base64': { 'Fn::Sub': '#!/bin/sh ${AWS::Region}' } })).toBe(
      Buffer.from('#!/bin/sh eu-west-1').toString('base64'),
    );
    expect(resolveProperty({ 'Fn::Cidr': ['10.0.0.0/16', 3, 8] })).toEqual([
      '10.0.0.0/24',
      '10.0.1.0/24',
      '10.0.2.0/24',
    ]);
  });

  it('serialises Fn::ToJsonString and counts Fn::Length from the language extensions', () => {
    expect(resolveProperty({ 'Fn::ToJsonString': { region: { Ref: 'AWS::Region' } } })).toBe(
      '{"region":"eu-west-1"}',
    );
    expect(resolveProperty({ 'Fn::Length': ['a', 'b', { Ref: 'AWS::NoValue' }] })).toBe(2);
  });

  it('fails naming the resource, the path and the function for an unknown intrinsic', () => {
    expect(() => resolveProperty({ Env: { X: { 'Fn::Frobnicate': 'x' } } })).toThrow(
      'Shop/Subject at Properties.Value.Env.X.Fn::Frobnicate: unsupported intrinsic function Fn::Frobnicate',
    );
  });
});

describe('conditions and mappings', () => {
  const conditional = {
    Parameters: { Stage: { Type: 'String', Default: 'prod' } },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      InIreland: { 'Fn::Equals': ['eu-west-1', { Ref: 'AWS::Region' }] },
      ProdInIreland: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'InIreland' }] },
      DevOrIreland: { 'Fn::Or': [{ Condition: 'IsDev' }, { 'Fn::Equals': ['1', 1] }] },
    },
    Mappings: { Sizes: { prod: { memory: 1024 }, 'eu-west-1': { zone: 'a' } } },
  };

  it('chooses Fn::If branches from Equals/And/Or/Not conditions', () => {
    const value = resolveProperty(
      {
        a: { 'Fn::If': ['ProdInIreland', 'yes', 'no'] },
        b: { 'Fn::If': ['IsDev', 'yes', 'no'] },
        c: { 'Fn::If': ['DevOrIreland', 'yes', 'no'] },
        d: { 'Fn::If': ['IsDev', 'dropped', { Ref: 'AWS::NoValue' }] },
      },
      conditional,
    );
    expect(value).toEqual({ a: 'yes', b: 'no', c: 'yes' });
  });

  it('leaves out resources and outputs whose condition is false', () => {
    const resolver = resolverFor({
      ...conditional,
      Resources: {
        DevOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsDev' },
        ProdOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsProd' },
      },
      Outputs: {
        Dev: { Value: { Ref: 'DevOnly' }, Condition: 'IsDev' },
        Prod: { Value: { 'Fn::GetAtt': ['ProdOnly', 'TopicName'] }, Condition: 'IsProd' },
      },
    });
    expect(resolver.resources().map((r) => r.logicalId)).toEqual(['ProdOnly']);
    expect(resolver.outputs()).toEqual({ Prod: 'Shop-ProdOnly' });
  });

  it('fails when a resource refers to a resource whose condition is false', () => {
    const template = {
      ...conditional,
      Resources: {
        DevOnly: { Type: 'AWS::SNS::Topic', Condition: 'IsDev' },
        User: { Type: 'Test::Subject', Properties: { Topic: { Ref: 'DevOnly' } } },
      },
    };
    expect(() => resolverFor(template).resources()).toThrow(
      /Shop\/User .*Ref to DevOnly, whose condition IsDev is false/,
    );
  });

  it('looks values up in Mappings, with keys from intrinsics and a DefaultValue fallback', () => {
    const value = resolveProperty(
      [
        { 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'memory'] },
        { 'Fn::FindInMap': ['Sizes', { Ref: 'AWS::Region' }, 'zone'] },
        { 'Fn::FindInMap': ['Sizes', 'dev', 'memory', { DefaultValue: 128 }] },
      ],
      conditional,
    );
    expect(value).toEqual([1024, 'a', 128]);
  });

  it('fails for a missing mapping entry without a default', () => {
    expect(() => resolveProperty({ 'Fn::FindInMap': ['Sizes', 'qa', 'memory'] }, conditional)).toThrow(
      /Fn::FindInMap found no Sizes.qa.memory/,
    );
  });
});

describe('imports and outputs', () => {
  it('resolves Fn::ImportValue through the app, including a computed export name', () => {
    expect(resolveProperty({ 'Fn::ImportValue': { 'Fn::Sub': 'Shared:TableName' } })).toBe('shared-table');
  });

  it('resolves Fn::GetStackOutput, the form of CDK weak cross-stack references, through the app', () => {
    const value = resolveProperty({
      'Fn::GetStackOutput': {
        StackName: 'Data',
        Region: { Ref: 'AWS::Region' },
        OutputName: 'PublishOutputRefTable',
      },
    });
    expect(value).toBe('Data.PublishOutputRefTable');
  });

  it('fails when Fn::GetStackOutput lacks the output name', () => {
    expect(() => resolveProperty({ 'Fn::GetStackOutput': { StackName: 'Data' } })).toThrow(
      /Shop\/Subject at Properties.Value.Fn::GetStackOutput: Fn::GetStackOutput expects \{StackName, OutputName\}/,
    );
  });

  it('resolves outputs and the export names other stacks import them by', () => {
    const resolver = resolverFor({
      Resources: TABLE,
      Outputs: {
        TableName: {
          Value: { Ref: 'Table' },
          Export: { Name: { 'Fn::Sub': '${AWS::StackName}:TableName' } },
        },
        Zones: { Value: { 'Fn::GetAZs': '' } },
      },
    });
    expect(resolver.outputs()).toEqual({
      TableName: 'Shop-Table',
      Zones: 'eu-west-1a,eu-west-1b,eu-west-1c',
    });
    expect(resolver.exports()).toEqual([{ exportName: 'Shop:TableName', outputName: 'TableName' }]);
  });
});

describe('templates it cannot serve', () => {
  it('rejects a template that needs a CloudFormation transform', () => {
    expect(() => parseTemplate('Sam', { Transform: 'AWS::Serverless-2016-10-31', Resources: {} })).toThrow(
      /stack Sam: template transform AWS::Serverless-2016-10-31 is not supported locally/,
    );
  });

  it('rejects a document without Resources', () => {
    expect(() => parseTemplate('Empty', { Outputs: {} })).toThrow(
      /stack Empty: not a CloudFormation template/,
    );
  });
});
