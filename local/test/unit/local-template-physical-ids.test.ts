import type { LocalResource } from '../../model';
import { rewriteUrls, urlRewrites } from '../../template/endpoint-rewrite';
import {
  deterministicId,
  deterministicUuid,
  type LocalEndpoints,
  type ResourceIdentity,
  resourceIdentity,
} from '../../template/physical-ids';
import { StackResolver } from '../../template/stack-resolver';

function identity(
  type: string,
  properties: Record<string, unknown> = {},
  endpoints: LocalEndpoints = {},
  logicalId = 'Thing',
): ResourceIdentity {
  return resourceIdentity({
    stackName: 'Shop',
    logicalId,
    type,
    region: 'us-east-2',
    accountId: '111122223333',
    partition: 'aws',
    urlSuffix: 'amazonaws.com',
    endpoints,
    property: (name) => properties[name],
  });
}

describe('deterministic ids', () => {
  it('derive the same value from the same seed and differ between seeds', () => {
    expect(deterministicId('Shop/Api', 10)).toBe(deterministicId('Shop/Api', 10));
    expect(deterministicId('Shop/Api', 10)).not.toBe(deterministicId('Shop/Api2', 10));
    expect(deterministicId('Shop/Api', 80)).toMatch(/^[a-z0-9]{80}$/);
  });

  it('shape UUIDs as version 4', () => {
    expect(deterministicUuid('x')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('resource identities', () => {
  it('names a Lambda function <stack>-<logicalId> unless FunctionName is given', () => {
    expect(identity('AWS::Lambda::Function')).toEqual({
      physicalId: 'Shop-Thing',
      attributes: { Arn: 'arn:aws:lambda:us-east-2:111122223333:function:Shop-Thing' },
    });
    expect(identity('AWS::Lambda::Function', { FunctionName: 'given' }).physicalId).toBe('given');
  });

  it('gives versions and aliases the qualified ARN of their function', () => {
    expect(identity('AWS::Lambda::Alias', { FunctionName: 'fn', Name: 'live' }).physicalId).toBe(
      'arn:aws:lambda:us-east-2:111122223333:function:fn:live',
    );
    const arn = 'arn:aws:lambda:us-east-2:111122223333:function:fn';
    expect(identity('AWS::Lambda::Version', { FunctionName: arn }).attributes).toEqual({
      FunctionArn: `${arn}:1`,
      Version: '1',
    });
  });

  it('gives tables and global tables a name, an ARN and a stream ARN', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']) {
      const table = identity(type, { TableName: 'orders' });
      expect(table.physicalId).toBe('orders');
      expect(table.attributes.Arn).toBe('arn:aws:dynamodb:us-east-2:111122223333:table/orders');
      expect(table.attributes.StreamArn).toMatch(
        /^arn:aws:dynamodb:us-east-2:111122223333:table\/orders\/stream\/.+$/,
      );
    }
    expect(identity('AWS::DynamoDB::Table').physicalId).toBe('Shop-Thing');
  });

  it('makes a queue Ref its URL, on the local SQS endpoint when one is given, with .fifo for FIFO queues', () => {
    expect(identity('AWS::SQS::Queue')).toEqual({
      physicalId: 'https://sqs.us-east-2.amazonaws.com/111122223333/Shop-Thing',
      attributes: {
        Arn: 'arn:aws:sqs:us-east-2:111122223333:Shop-Thing',
        QueueName: 'Shop-Thing',
        QueueUrl: 'https://sqs.us-east-2.amazonaws.com/111122223333/Shop-Thing',
      },
    });
    const local = identity('AWS::SQS::Queue', { FifoQueue: true }, { sqs: 'http://127.0.0.1:9324/' });
    expect(local.physicalId).toBe('http://127.0.0.1:9324/111122223333/Shop-Thing.fifo');
    expect(local.attributes.QueueName).toBe('Shop-Thing.fifo');
  });

  it('makes a topic Ref its ARN', () => {
    expect(identity('AWS::SNS::Topic', { TopicName: 'alarms' })).toEqual({
      physicalId: 'arn:aws:sns:us-east-2:111122223333:alarms',
      attributes: { TopicArn: 'arn:aws:sns:us-east-2:111122223333:alarms', TopicName: 'alarms' },
    });
  });

  it('gives a role a global IAM ARN that honours its path', () => {
    const role = identity('AWS::IAM::Role', { Path: '/service/' });
    expect(role.physicalId).toBe('Shop-Thing');
    expect(role.attributes.Arn).toBe('arn:aws:iam::111122223333:role/service/Shop-Thing');
    expect(role.attributes.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
  });

  it('gives a user pool a <region>_<id> id and the Cognito issuer URL, or the local issuer when given', () => {
    const pool = identity('AWS::Cognito::UserPool');
    expect(pool.physicalId).toMatch(/^us-east-2_[A-Za-z0-9]{10}$/);
    expect(pool.attributes.ProviderURL).toBe(
      `https://cognito-idp.us-east-2.amazonaws.com/${pool.physicalId}`,
    );
    expect(pool.attributes.ProviderName).toBe(`cognito-idp.us-east-2.amazonaws.com/${pool.physicalId}`);
    expect(pool.attributes.Arn).toBe(
      `arn:aws:cognito-idp:us-east-2:111122223333:userpool/${pool.physicalId}`,
    );

    const local = identity(
      'AWS::Cognito::UserPool',
      {},
      { cognitoIssuer: (id) => `http://127.0.0.1:9229/${id}` },
    );
    expect(local.physicalId).toBe(pool.physicalId);
    expect(local.attributes.ProviderURL).toBe(`http://127.0.0.1:9229/${pool.physicalId}`);
    expect(local.attributes.ProviderName).toBe(`127.0.0.1:9229/${pool.physicalId}`);
  });

  it('gives a user pool client a 26-character id and a secret', () => {
    const client = identity('AWS::Cognito::UserPoolClient');
    expect(client.physicalId).toMatch(/^[a-z0-9]{26}$/);
    expect(client.attributes.ClientId).toBe(client.physicalId);
    expect(client.attributes.ClientSecret).toMatch(/^[a-z0-9]{51}$/);
  });

  it('gives a REST API a 10-character id and a different root resource id', () => {
    const api = identity('AWS::ApiGateway::RestApi');
    expect(api.physicalId).toMatch(/^[a-z0-9]{10}$/);
    expect(api.attributes.RootResourceId).toMatch(/^[a-z0-9]{10}$/);
    expect(api.attributes.RootResourceId).not.toBe(api.physicalId);
    expect(identity('AWS::ApiGateway::Resource').physicalId).toMatch(/^[a-z0-9]{6}$/);
    expect(identity('AWS::ApiGateway::Stage', { StageName: 'v1' }).physicalId).toBe('v1');
  });

  it('asks for every API’s local endpoint as its identity is made, so REST and HTTP APIs take ports in template order', () => {
    const asked: string[] = [];
    const endpoints: LocalEndpoints = {
      executeApi: (id) => {
        asked.push(id);
        return `http://127.0.0.1:${3000 + asked.indexOf(id)}`;
      },
    };
    const rest = identity('AWS::ApiGateway::RestApi', {}, endpoints, 'RestApi');
    const http = identity('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' }, endpoints, 'HttpApi');
    expect(asked).toEqual([rest.physicalId, http.physicalId]);
    expect(http.attributes.ApiEndpoint).toBe('http://127.0.0.1:3001');
  });

  it('gives HTTP and WebSocket APIs an endpoint, local when the orchestrator serves it', () => {
    const http = identity('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    expect(http.attributes.ApiEndpoint).toBe(
      `https://${http.physicalId}.execute-api.us-east-2.amazonaws.com`,
    );
    const ws = identity(
      'AWS::ApiGatewayV2::Api',
      { ProtocolType: 'WEBSOCKET' },
      { executeApi: (id, scheme) => `${scheme === 'wss' ? 'ws' : 'http'}://127.0.0.1:4000/${id}` },
    );
    expect(ws.attributes.ApiEndpoint).toBe(`ws://127.0.0.1:4000/${ws.physicalId}`);
  });

  it('gives log groups, keys and buckets their AWS ARN forms', () => {
    expect(identity('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/x' }).attributes.Arn).toBe(
      'arn:aws:logs:us-east-2:111122223333:log-group:/aws/lambda/x:*',
    );
    const key = identity('AWS::KMS::Key');
    expect(key.attributes.Arn).toBe(`arn:aws:kms:us-east-2:111122223333:key/${key.physicalId}`);
    const bucket = identity('AWS::S3::Bucket', {}, {}, 'AssetsBucket');
    expect(bucket.physicalId).toMatch(/^shop-assetsbucket-[a-z0-9]{12}$/);
    expect(bucket.attributes.Arn).toBe(`arn:aws:s3:::${bucket.physicalId}`);
  });

  it('points a bucket’s domain names at the local S3 endpoint, virtual-hosted style, when it has one', () => {
    const named = identity('AWS::S3::Bucket', { BucketName: 'uploads' }, { s3: 'http://127.0.0.1:4566' });
    expect(named.physicalId).toBe('uploads');
    expect(named.attributes.DomainName).toBe('uploads.s3.localhost:4566');
    expect(named.attributes.RegionalDomainName).toBe('uploads.s3.us-east-2.localhost:4566');
    expect(identity('AWS::S3::Bucket', { BucketName: 'uploads' }).attributes.DomainName).toBe(
      'uploads.s3.amazonaws.com',
    );
  });

  it('falls back to <logicalId>-<shorthash> and a generic ARN for other types', () => {
    const acl = identity('AWS::WAFv2::WebACL', {}, {}, 'Acl');
    expect(acl.physicalId).toMatch(/^Acl-[0-9A-F]{8}$/);
    expect(acl.attributes.Arn).toBe(`arn:aws:wafv2:us-east-2:111122223333:webacl/${acl.physicalId}`);
  });
});

describe('local URL rewrites', () => {
  const resource = (type: string, physicalId: string): LocalResource => ({
    stackName: 'Shop',
    logicalId: physicalId,
    type,
    physicalId,
    properties: {},
    attributes: {},
  });
  const resources = [
    resource('AWS::ApiGateway::RestApi', 'abcdefghij'),
    resource('AWS::ApiGatewayV2::Api', 'wsapi00000'),
    resource('AWS::Cognito::UserPool', 'us-east-2_Pool123456'),
  ];
  const rewrites = urlRewrites(resources, {
    region: 'us-east-2',
    accountId: '111122223333',
    urlSuffix: 'amazonaws.com',
    endpoints: {
      executeApi: (id, scheme) =>
        scheme === 'wss' ? `ws://127.0.0.1:4001/${id}` : `http://127.0.0.1:4000/${id}`,
      cognitoIssuer: (id) => `http://127.0.0.1:9229/${id}`,
      sqs: 'http://127.0.0.1:9324',
    },
  });

  it('points hand-built API, WebSocket callback, issuer and queue URLs at the local cloud', () => {
    const value = rewriteUrls(
      {
        url: 'https://abcdefghij.execute-api.us-east-2.amazonaws.com/prod/',
        socket: [
          'wss://wsapi00000.execute-api.us-east-2.amazonaws.com/live',
          'https://wsapi00000.execute-api.us-east-2.amazonaws.com/live',
        ],
        jwks: 'https://cognito-idp.us-east-2.amazonaws.com/us-east-2_Pool123456/.well-known/jwks.json',
        queue: 'https://sqs.us-east-2.amazonaws.com/111122223333/jobs',
        count: 3,
      },
      rewrites,
    );
    expect(value).toEqual({
      url: 'http://127.0.0.1:4000/abcdefghij/prod/',
      socket: ['ws://127.0.0.1:4001/wsapi00000/live', 'http://127.0.0.1:4000/wsapi00000/live'],
      jwks: 'http://127.0.0.1:9229/us-east-2_Pool123456/.well-known/jwks.json',
      queue: 'http://127.0.0.1:9324/111122223333/jobs',
      count: 3,
    });
  });

  it('leaves URLs of APIs that are not in the app untouched', () => {
    const other = 'https://zzzzzzzzzz.execute-api.us-east-2.amazonaws.com/prod/';
    expect(rewriteUrls(other, rewrites)).toBe(other);
  });
});

describe('local API addresses', () => {
  it('are claimed in template order, a REST API before a WebSocket API that follows it', () => {
    const claimed: string[] = [];
    const resolver = new StackResolver(
      'Shop',
      {
        Resources: {
          Rest: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'rest' } },
          Live: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'live', ProtocolType: 'WEBSOCKET' } },
        },
      },
      {
        region: 'us-east-2',
        accountId: '111122223333',
        partition: 'aws',
        urlSuffix: 'amazonaws.com',
        parameters: {},
        endpoints: {
          executeApi: (apiId) => {
            if (!claimed.includes(apiId)) claimed.push(apiId);
            return `http://127.0.0.1:${3000 + claimed.indexOf(apiId)}`;
          },
        },
        importValue: () => '',
        stackOutput: () => '',
      },
    );

    const [rest, live] = resolver.resources();

    expect(claimed).toEqual([rest?.physicalId, live?.physicalId]);
    expect(live?.attributes.ApiEndpoint).toBe('http://127.0.0.1:3001');
  });
});
