import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucketDefinitions } from '../../s3/bucket-definitions';
import { matchingRules, recordKey } from '../../s3/bucket-notifications';
import { verifyPresignedUrl } from '../../s3/presigned-url';
import type { S3Error } from '../../s3/s3-errors';
import type { ObjectEvent } from '../../s3/s3-front';
import { resourcesIn } from '../support/model-resource';

/** The pure rules of the local S3: pre-signed URL checks, the template's bucket settings, notification matching. */
const credentials = { accessKeyId: 'AKIAUNITS3', secretAccessKey: 'unit-secret' };
const secretOf = (id: string) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined);
const client = new S3Client({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000', credentials });

afterAll(() => client.destroy());

async function presigned(expiresIn: number, signingDate = new Date()) {
  const url = new URL(
    await getSignedUrl(client, new GetObjectCommand({ Bucket: 'b', Key: 'k/é x.txt' }), {
      expiresIn,
      signingDate,
    }),
  );
  return {
    method: 'GET',
    rawPath: url.pathname,
    rawQuery: url.search.slice(1),
    headers: { host: url.host },
  };
}

function refusal(run: () => unknown): S3Error {
  try {
    run();
  } catch (error) {
    return error as S3Error;
  }
  throw new Error('expected a refusal');
}

describe('pre-signed URL verification', () => {
  it('accepts a URL the SDK signed, keys with non-ASCII characters and spaces included', async () => {
    expect(verifyPresignedUrl(await presigned(60), secretOf)).toBe(credentials.accessKeyId);
  });

  it('refuses an expiry longer than seven days with 400 AuthorizationQueryParametersError', async () => {
    const request = await presigned(60);
    const error = refusal(() =>
      verifyPresignedUrl(
        { ...request, rawQuery: request.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801') },
        secretOf,
      ),
    );
    expect([error.statusCode, error.code]).toEqual([400, 'AuthorizationQueryParametersError']);
  });

  it('refuses a URL missing a SigV4 parameter with 400, naming the parameters it needs', async () => {
    const request = await presigned(60);
    const error = refusal(() =>
      verifyPresignedUrl(
        { ...request, rawQuery: request.rawQuery.replace(/X-Amz-Date=[^&]+&?/, '') },
        secretOf,
      ),
    );
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('X-Amz-Date');
  });

  it('refuses a URL signed more than 15 minutes in the future with 403 "Request is not valid yet"', async () => {
    const request = await presigned(60, new Date(Date.now() + 60 * 60 * 1000));
    const refused = refusal(() => verifyPresignedUrl(request, secretOf));
    expect([refused.statusCode, refused.message]).toEqual([403, 'Request is not valid yet']);
  });

  it('refuses a URL whose signed Host header differs from the one it is sent with', async () => {
    const request = await presigned(60);
    const refused = refusal(() =>
      verifyPresignedUrl({ ...request, headers: { host: 'elsewhere:9000' } }, secretOf),
    );
    expect(refused.code).toBe('SignatureDoesNotMatch');
  });
});

const resource = resourcesIn('App');

describe('buckets read from the template', () => {
  it('reads CloudFormation’s own NotificationConfiguration and CDK’s custom resource alike', () => {
    const [bucket] = bucketDefinitions({
      region: 'us-east-1',
      accountId: '123456789012',
      resources: [
        resource('Files', 'AWS::S3::Bucket', 'files-bucket', {
          NotificationConfiguration: {
            LambdaConfigurations: [
              {
                Event: 's3:ObjectRemoved:*',
                Function: 'arn:aws:lambda:us-east-1:123456789012:function:cleaner',
                Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'tmp/' }] } },
              },
            ],
          },
          LifecycleConfiguration: { Rules: [] },
          VersioningConfiguration: { Status: 'Suspended' },
        }),
        resource('FilesNotifications', 'Custom::S3BucketNotifications', 'n', {
          BucketName: 'files-bucket',
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                Events: ['s3:ObjectCreated:*'],
                QueueArn: 'arn:aws:sqs:us-east-1:123456789012:arrivals',
                Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.csv' }] } },
              },
            ],
          },
        }),
      ],
    });
    expect(bucket?.notifications).toEqual([
      expect.objectContaining({ destination: 'lambda', events: ['s3:ObjectRemoved:*'], prefix: 'tmp/' }),
      expect.objectContaining({ destination: 'sqs', events: ['s3:ObjectCreated:*'], suffix: '.csv' }),
    ]);
    // Suspended versioning behaves as none; lifecycle rules are not applied.
    expect(bucket?.notApplied).toEqual(['lifecycle rules (objects never expire)']);
  });

  it('refuses a CORS configuration it cannot read, naming the bucket', () => {
    expect(() =>
      bucketDefinitions({
        region: 'us-east-1',
        accountId: '1',
        resources: [
          resource('Files', 'AWS::S3::Bucket', 'b', {
            CorsConfiguration: { CorsRules: [{ AllowedOrigins: ['*'] }] },
          }),
        ],
      }),
    ).toThrow(/App\/Files: CorsConfiguration is not valid/);
  });
});

describe('notification matching', () => {
  const event = (eventName: string, key: string): ObjectEvent => ({
    bucket: 'b',
    key,
    eventName,
    sourceIp: '127.0.0.1',
    requestId: 'R',
    principalId: 'AWS:A',
  });
  const rules = [
    { destination: 'lambda' as const, arn: 'f', events: ['s3:ObjectCreated:*'], prefix: 'in/', id: '1' },
    { destination: 'sqs' as const, arn: 'q', events: ['s3:ObjectRemoved:Delete'], suffix: '.csv', id: '2' },
  ];

  it('matches event wildcards, exact names, prefixes and suffixes', () => {
    expect(matchingRules(rules, event('ObjectCreated:Post', 'in/a.csv')).map((r) => r.id)).toEqual(['1']);
    expect(matchingRules(rules, event('ObjectCreated:Put', 'out/a.csv'))).toEqual([]);
    expect(matchingRules(rules, event('ObjectRemoved:Delete', 'in/a.csv')).map((r) => r.id)).toEqual(['2']);
    expect(matchingRules(rules, event('ObjectRemoved:DeleteMarkerCreated', 'x.csv'))).toEqual([]);
  });

  it('writes keys as S3 records do: URL-encoded, + for spaces, slashes kept', () => {
    expect(recordKey('tenants/a b/ü:1.csv')).toBe('tenants/a+b/%C3%BC%3A1.csv');
  });
});
