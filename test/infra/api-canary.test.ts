import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { appTemplates, buildApp } from './app';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  DependsOn?: string[];
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const only = (template: Template, type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>);
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
};
const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Statements of every policy attached to the role the canary runs as. */
function canaryStatements(template: Template): Statement[] {
  const [, canary] = only(template, 'AWS::Synthetics::Canary');
  const roleId = (canary.Properties.ExecutionRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const role = template.findResources('AWS::IAM::Role')[roleId] as Resource;
  const inline = (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>) ?? [];
  const attached = Object.values(
    template.findResources('AWS::IAM::Policy') as Record<string, Resource>,
  ).filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId));
  return [
    ...inline.flatMap((p) => p.PolicyDocument.Statement),
    ...attached.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement),
  ];
}

/** The artifacts bucket: the one the canary's ArtifactS3Location names. */
function artifactsBucket(template: Template): [string, Resource] {
  const [, canary] = only(template, 'AWS::Synthetics::Canary');
  const bucketId = JSON.stringify(canary.Properties.ArtifactS3Location).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
  const bucket = template.findResources('AWS::S3::Bucket')[bucketId] as Resource | undefined;
  if (!bucket) throw new Error('no artifacts bucket');
  return [bucketId, bucket];
}

function nagFindings(built: ReturnType<typeof buildApp>): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(built.stateless)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} ${(r as { constructPath?: string }).constructPath}`),
      ),
  );
}

describe('the API canary in prod (on by default)', () => {
  let built: ReturnType<typeof buildApp>;
  let template: Template;
  beforeAll(() => {
    built = buildApp('prod');
    template = built.statelessTemplate;
  });

  it('runs the api-health script on the newest Node.js Synthetics runtime every 5 minutes', () => {
    const [, canary] = only(template, 'AWS::Synthetics::Canary');
    expect(canary.Properties).toMatchObject({
      RuntimeVersion: 'syn-nodejs-puppeteer-13.0',
      Schedule: { Expression: 'rate(5 minutes)' },
      Code: { Handler: 'index.handler' },
      StartCanaryAfterCreation: true,
      ProvisionedResourceCleanup: 'AUTOMATIC',
      RunConfig: { ActiveTracing: true, TimeoutInSeconds: 60 },
    });
  });

  it('calls the public HTTP API for the canary slug and the REST stage, signing in through its own client', () => {
    const [, canary] = only(template, 'AWS::Synthetics::Canary');
    const env = (canary.Properties.RunConfig as { EnvironmentVariables: Record<string, unknown> })
      .EnvironmentVariables;
    expect(env.TENANT_SLUG).toBe('canary');
    expect(JSON.stringify(env.PUBLIC_API_URL)).toMatch(/PublicApi/);
    expect(JSON.stringify(env.REST_API_URL)).toMatch(/RestApi.*DeploymentStageprod/);
    const [clientId] = only(template, 'AWS::Cognito::UserPoolClient');
    const [secretId] = only(template, 'AWS::SecretsManager::Secret');
    expect(env.USER_POOL_CLIENT_ID).toEqual({ Ref: clientId });
    expect(env.CREDENTIALS_SECRET_ARN).toEqual({ Ref: secretId });
  });

  it('alarms when fewer than 90 % of runs succeed in 2 of 3 periods, and when runs stop reporting', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>)
      .map((a) => a.Properties)
      .filter((p) => p.MetricName === 'SuccessPercent');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      Namespace: 'CloudWatchSynthetics',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 90,
      Statistic: 'Average',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
    // Its one action is the alarm topic, which the monitoring aspect gives every alarm.
    expect(alarms[0]?.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }]);
  });

  it('keeps artifacts in an encrypted, private, TLS-only bucket that expires them, retained in prod', () => {
    const [bucketId, bucket] = artifactsBucket(template);
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ ExpirationInDays: 30, Status: 'Enabled' })],
      },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    const policies = Object.values(
      template.findResources('AWS::S3::BucketPolicy') as Record<string, Resource>,
    );
    const policy = policies.find((p) => JSON.stringify(p.Properties.Bucket).includes(bucketId));
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toMatch(
      /"Condition":\{"Bool":\{"aws:SecureTransport":"false"\}\},"Effect":"Deny"/,
    );
    expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(0);
  });

  it('lets the canary sign in on the one pool and read its one secret, and nothing more of either', () => {
    const statements = canaryStatements(template);
    const cognito = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('cognito-idp:')));
    expect(cognito).toHaveLength(1);
    expect(actionsOf(cognito[0] as Statement).sort()).toEqual([
      'cognito-idp:AdminInitiateAuth',
      'cognito-idp:AdminRespondToAuthChallenge',
    ]);
    expect(JSON.stringify(cognito[0]?.Resource)).toMatch(/UserPool/);
    const secrets = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    const [secretId] = only(template, 'AWS::SecretsManager::Secret');
    for (const statement of secrets) expect(statement.Resource).toEqual({ Ref: secretId });
    for (const statement of statements)
      expect(actionsOf(statement).some((a) => a === '*' || a.endsWith(':*'))).toBe(false);
  });

  it('gives the canary a client that allows only admin password sign-in, with no secret and no OAuth', () => {
    const [, client] = only(template, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties).toMatchObject({
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: false,
      PreventUserExistenceErrors: 'ENABLED',
      WriteAttributes: [],
    });
  });

  it("outputs what the README's setup step reads: the secret, the client and the canary's name", () => {
    const outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>).filter((key) =>
      key.startsWith('ApiCanary'),
    );
    for (const name of ['CredentialsSecretArn', 'UserPoolClientId', 'CanaryName']) {
      expect(outputs.filter((key) => key.includes(name))).toHaveLength(1);
    }
  });

  it('leaves the SPA client as it was: SRP sign-in only', () => {
    const [, spa] = only(built.statefulTemplate, 'AWS::Cognito::UserPoolClient');
    expect(spa.Properties.ExplicitAuthFlows).not.toContain('ALLOW_ADMIN_USER_PASSWORD_AUTH');
  });

  it("keeps the canary's run logs for the stage's retention", () => {
    const calls = JSON.stringify(template.findResources('Custom::AWS'));
    expect(calls).toMatch(/putRetentionPolicy.*retentionInDays\\":90/);
    expect(calls).not.toMatch(/deleteLogGroup/);
  });

  it('leaves cdk-nag nothing unacknowledged', () => {
    expect(nagFindings(built)).toEqual([]);
  });
});

describe('the API canary in sandbox', () => {
  it('does not exist by default: no canary, bucket, secret, client or alarm of it', () => {
    const { statelessTemplate: template } = appTemplates('sandbox');
    for (const type of [
      'AWS::Synthetics::Canary',
      'AWS::SecretsManager::Secret',
      'AWS::Cognito::UserPoolClient',
      'Custom::S3AutoDeleteObjects',
    ]) {
      expect(Object.keys(template.findResources(type))).toEqual([]);
    }
    expect(JSON.stringify(template.findResources('AWS::S3::Bucket'))).not.toMatch(/Artifacts/);
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).not.toMatch(/SuccessPercent/);
  });

  describe('with -c syntheticsCanary=true', () => {
    let built: ReturnType<typeof buildApp>;
    let template: Template;
    beforeAll(() => {
      built = buildApp('sandbox', { syntheticsCanary: 'true' });
      template = built.statelessTemplate;
    });

    it('runs, and teardown deletes its bucket (emptied first), secret and run logs', () => {
      only(template, 'AWS::Synthetics::Canary');
      const [bucketId, bucket] = artifactsBucket(template);
      expect(bucket.DeletionPolicy).toBe('Delete');
      const [, autoDelete] = only(template, 'Custom::S3AutoDeleteObjects');
      expect(autoDelete.Properties.BucketName).toEqual({ Ref: bucketId });
      expect(only(template, 'AWS::SecretsManager::Secret')[1].DeletionPolicy).toBe('Delete');
      const calls = JSON.stringify(template.findResources('Custom::AWS'));
      expect(calls).toMatch(/deleteLogGroup/);
      expect(calls).toMatch(/putRetentionPolicy.*retentionInDays\\":7/);
    });

    it('leaves cdk-nag nothing unacknowledged', () => {
      expect(nagFindings(built)).toEqual([]);
    });
  });
});
