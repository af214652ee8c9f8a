import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requiredSdkModules } from '../../lambda/provided-modules';

describe('the AWS SDK packages a bundle needs from the runtime', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'required-sdk-'));
    writeFileSync(
      join(dir, 'index.js'),
      [
        'const { S3Client } = require("@aws-sdk/client-s3");',
        // What the SDK's own SigV4a path does: a lazy, guarded require Lambda's runtime does not satisfy either.
        'try { require("@aws-sdk/signature-v4-crt"); } catch {}',
        'const v4a = () => import("@aws-sdk/signature-v4a");',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the clients it requires and leaves out the SDK’s optional SigV4a packages', () => {
    const fn = {
      functionName: 'fn',
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      handler: 'index.handler',
      code: { directory: dir },
      runtime: 'nodejs24.x',
      memorySize: 128,
      timeout: 3,
      environment: {},
    } as unknown as Parameters<typeof requiredSdkModules>[0];
    expect([...requiredSdkModules(fn)]).toEqual(['@aws-sdk/client-s3']);
  });
});
