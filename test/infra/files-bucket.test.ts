import { Match } from 'aws-cdk-lib/assertions';
import { stageConfig } from '../../infra/config';
import { appTemplates, methodsByRoute, statementsOfFunction } from './app';

const { statefulTemplate, statelessTemplate } = appTemplates();

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const buckets = Object.entries(statefulTemplate.toJSON().Resources as Resources).filter(
  ([, r]) => r.Type === 'AWS::S3::Bucket',
);
const found = buckets.find(([id]) => id.startsWith('FilesBucket'));
if (!found) throw new Error('no files bucket in the stateful stack');
const [filesId, files] = found;
const s3Statements = (service: string) =>
  statementsOfFunction(statelessTemplate, service).filter((s) => JSON.stringify(s.Action).includes('s3:'));
/** `{action: [key pattern, …]}` of a function's S3 grants, with the bucket reference left out. */
const grants = (service: string) => {
  const byAction: Record<string, string[]> = {};
  for (const statement of s3Statements(service)) {
    const actions = (Array.isArray(statement.Action) ? statement.Action : [statement.Action]) as string[];
    const resources = (
      Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]
    ) as unknown[];
    for (const action of actions) {
      for (const resource of resources) {
        const joined = JSON.stringify(resource);
        const pattern = /"(\/[^"]*)"\]\]\}$/.exec(joined)?.[1] ?? joined;
        byAction[action] = [...(byAction[action] ?? []), pattern];
      }
    }
  }
  return byAction;
};

describe('the files bucket', () => {
  it('is encrypted with S3-managed keys, TLS only, with every public access blocked', () => {
    expect(files.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    statefulTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: filesId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it("allows browser uploads (POST) and downloads (GET) from the stage's allowed origins and its console only", () => {
    const rules = (files.Properties.CorsConfiguration as { CorsRules: Array<Record<string, unknown>> })
      .CorsRules;
    expect(rules).toHaveLength(1);
    // The configured origins (the local console among them), then the hosted console's CloudFront origin.
    expect(rules[0]?.AllowedOrigins).toEqual([
      ...stageConfig('sandbox').allowedOrigins,
      {
        'Fn::Join': [
          '',
          ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleDistribution/), 'DomainName'] }],
        ],
      },
    ]);
    expect(rules[0]?.AllowedMethods).toEqual(['POST', 'GET', 'HEAD']);
  });

  it('expires every tenant file and aborts unfinished multipart uploads', () => {
    expect(files.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'expire-tenant-files',
          Prefix: 'tenants/',
          Status: 'Enabled',
          ExpirationInDays: 7,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
  });

  it('logs access to a bucket of its own', () => {
    expect(files.Properties.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'files/' });
  });

  it('announces every object created under tenants/ on the jobs queue', () => {
    statefulTemplate.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: filesId },
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            QueueArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobsQueue'), 'Arn'] },
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'tenants/' }] } },
          },
        ],
      },
    });
  });

  it('is named in the stateful stack outputs', () => {
    expect(statefulTemplate.toJSON().Outputs.FilesBucketName.Value).toEqual({ Ref: filesId });
  });
});

describe('least privilege on tenant files', () => {
  it('lets the jobs API sign uploads under tenants/*/uploads/ and downloads under tenants/*/reports/ only', () => {
    expect(grants('jobs')).toEqual({
      's3:PutObject': ['/tenants/*/uploads/*'],
      's3:GetObject': ['/tenants/*/reports/*'],
    });
  });

  it("gives the worker's own role no S3 access: it reads uploads and writes reports with the job tenant's session", () => {
    expect(grants('job-worker')).toEqual({});
  });

  it('lets the operator API read offboarding exports only (it signs their download links)', () => {
    expect(grants('tenants')).toEqual({ 's3:GetObject': ['/tenants/*/exports/*'] });
  });

  it.each(['orders', 'authorizer', 'catalog', 'event-projector'])('gives %s no S3 access', (fn) => {
    expect(s3Statements(fn)).toEqual([]);
  });
});

describe('binary routes', () => {
  it('passes application/pdf as binary and routes GET /orders/{orderId}/invoice and GET /jobs/{jobId}/result', () => {
    statelessTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: ['application/pdf'],
    });
    const routes = methodsByRoute(statelessTemplate);
    for (const route of ['GET /orders/{orderId}/invoice', 'GET /jobs/{jobId}/result']) {
      expect(routes[route]).toMatchObject({ AuthorizationType: 'CUSTOM' });
    }
  });
});
