import * as path from 'node:path';
import { ArnFormat, CfnOutput, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { APP_NAME } from '../shared/app-name';
import { TENANT_SLUG_PATTERN } from '../shared/tenant-slug';
import { acknowledgeSdkCallFunction } from './sdk-call-function';

/** The newest scripted Node.js runtime in this CDK (Lambda Node.js 22); the script needs no browser. */
export const API_CANARY_RUNTIME = synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0;

export interface ApiCanaryProps {
  /** `https://…/<stage>/`: the REST stage whose `GET /catalog` the canary user reads. */
  readonly restApiUrl: string;
  /** The public HTTP API's URL, whose `GET /public/{tenantSlug}/catalog` is read anonymously. */
  readonly publicApiUrl: string;
  /** The pool the canary user lives in; the canary gets its own app client on it. */
  readonly userPool: cognito.IUserPool;
  /**
   * The storefront slug the canary reads: 200 when a tenant holds it, the product's 404 otherwise.
   * @default 'canary' — the slug of the canary tenant the README's setup onboards
   */
  readonly tenantSlug?: string;
  /**
   * How often the canary runs.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;
  /** Retention of the canary's run logs. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Whether teardown removes everything: the artifacts bucket (emptied first), the secret and the run logs.
   * Otherwise they are retained.
   */
  readonly destroyOnRemoval: boolean;
  /**
   * How long run artifacts (reports, HAR, logs in S3) are kept.
   * @default Duration.days(30)
   */
  readonly artifactExpiry?: Duration;
}

/**
 * A CloudWatch Synthetics canary that, every 5 minutes, reads a tenant's public storefront on the HTTP API,
 * signs a dedicated canary user in, and reads `GET /catalog` on the REST stage with its ID token; and an alarm
 * when fewer than 90 % of runs succeed.
 *
 * The canary user is not created here (the stack cannot choose its tenant): its password lives in a secret
 * the stack generates, and an operator creates the user with it (README, "Canary releases"). Until then the
 * sign-in step fails, so the alarm reads "not set up yet". It signs in through its own app client that allows
 * only ADMIN_USER_PASSWORD_AUTH, a flow that needs IAM credentials (cognito-idp:AdminInitiateAuth, which only
 * the canary's role has, on this pool only): the SPA client, the pool's MFA requirement and its public sign-in
 * are unchanged. Where the pool requires MFA, the user has a TOTP factor whose seed is in the same secret.
 */
export class ApiCanary extends Construct {
  readonly canary: synthetics.Canary;
  readonly artifactsBucket: s3.Bucket;
  /** `{ username, password[, totpSeed] }` of the canary user. */
  readonly credentials: secretsmanager.Secret;
  /** The canary's own app client (ADMIN_USER_PASSWORD_AUTH only, no secret, no OAuth). */
  readonly userPoolClient: cognito.UserPoolClient;
  /** SuccessPercent below 90 in 2 of 3 five-minute periods. */
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ApiCanaryProps) {
    super(scope, id);
    const tenantSlug = props.tenantSlug ?? 'canary';
    if (!TENANT_SLUG_PATTERN.test(tenantSlug)) {
      throw new Error(
        `api canary tenantSlug '${tenantSlug}' is not a tenant slug: use lowercase letters, digits and dashes, e.g. canary`,
      );
    }
    const interval = props.interval ?? Duration.minutes(5);
    const removalPolicy = props.destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const stack = Stack.of(this);

    this.artifactsBucket = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          expiration: props.artifactExpiry ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy,
      autoDeleteObjects: props.destroyOnRemoval,
    });
    Validations.of(this.artifactsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'only the canary writes here (its run reports, expiring in days); CloudTrail covers the API calls, and an access-log bucket would need one of its own',
    });

    this.credentials = new secretsmanager.Secret(this, 'Credentials', {
      description: `${APP_NAME} API canary user: {username, password[, totpSeed]}; the user is created by an operator`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          username: `api-canary@${stack.stackName.toLowerCase()}.invalid`,
        }),
        generateStringKey: 'password',
        passwordLength: 32,
        // Every character class the pool's password policy asks for, none that a shell, JSON or the CLI's
        // shorthand syntax would read.
        requireEachIncludedType: true,
        excludeCharacters: ' "\'\\/`$@%&*!,=[]{}',
      },
      removalPolicy,
    });
    Validations.of(this.credentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "the password is set on a Cognito user by an operator (README); rotating it means resetting that user, which the README's setup step does",
    });

    const readAttributes = new cognito.ClientAttributes().withCustomAttributes('tenantId', 'role');
    this.userPoolClient = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: 'api-canary',
      generateSecret: false,
      authFlows: { adminUserPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.minutes(5),
      accessTokenValidity: Duration.minutes(5),
      refreshTokenValidity: Duration.minutes(60),
      readAttributes,
      writeAttributes: new cognito.ClientAttributes(),
    });

    this.canary = new synthetics.Canary(this, 'Canary', {
      runtime: API_CANARY_RUNTIME,
      test: synthetics.Test.custom({
        code: synthetics.Code.fromAsset(path.join(__dirname, '..', 'canaries', 'api-health')),
        handler: 'index.handler',
      }),
      schedule: synthetics.Schedule.rate(interval),
      timeout: Duration.minutes(1),
      environmentVariables: {
        PUBLIC_API_URL: props.publicApiUrl,
        REST_API_URL: props.restApiUrl,
        TENANT_SLUG: tenantSlug,
        CREDENTIALS_SECRET_ARN: this.credentials.secretArn,
        USER_POOL_ID: props.userPool.userPoolId,
        USER_POOL_CLIENT_ID: this.userPoolClient.userPoolClientId,
      },
      artifactsBucketLocation: { bucket: this.artifactsBucket },
      activeTracing: true,
      // Deleting the canary deletes its Lambda function and layers too, so teardown leaves none behind.
      provisionedResourceCleanup: true,
      successRetentionPeriod: Duration.days(7),
      failureRetentionPeriod: Duration.days(30),
    });
    this.credentials.grantRead(this.canary.role);
    this.canary.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cognito-idp:AdminInitiateAuth', 'cognito-idp:AdminRespondToAuthChallenge'],
        resources: [props.userPool.userPoolArn],
      }),
    );
    this.retainRunLogs(props.logRetention, props.destroyOnRemoval);
    this.acknowledgeRoleFindings();

    new CfnOutput(this, 'CanaryName', { value: this.canary.canaryName, description: 'The API canary' });
    new CfnOutput(this, 'CredentialsSecretArn', {
      value: this.credentials.secretArn,
      description: "The API canary user's credentials (README, Canary releases)",
    });
    new CfnOutput(this, 'UserPoolClientId', {
      value: this.userPoolClient.userPoolClientId,
      description: "The API canary's own app client (ADMIN_USER_PASSWORD_AUTH only)",
    });

    this.alarm = new cloudwatch.Alarm(this, 'SuccessAlarm', {
      alarmDescription:
        'API canary: under 90 % of runs succeeded (public storefront, canary sign-in, GET /catalog). Right after a first deploy it means the canary user is not set up yet (README, "Canary releases").',
      metric: this.canary.metricSuccessPercent({ period: interval, statistic: cloudwatch.Stats.AVERAGE }),
      threshold: 90,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      // A canary that stops reporting has stopped checking: silence is a failure here.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  /**
   * The canary's Lambda writes to `/aws/lambda/<its function>`, a name known only once the canary exists, in a
   * group Lambda would create with no expiry. So the group is created (or found) under that name after the
   * canary, given the stage's retention, and deleted with the stack when `destroy`.
   */
  private retainRunLogs(retention: logs.RetentionDays, destroy: boolean): void {
    const stack = Stack.of(this);
    const canaryName = this.canary.canaryName;
    const getCanary: cr.AwsSdkCall = {
      service: 'Synthetics',
      action: 'getCanary',
      parameters: { Name: canaryName },
      outputPaths: ['Canary.EngineArn'],
      physicalResourceId: cr.PhysicalResourceId.of(`${canaryName}-engine`),
    };
    const engine = new cr.AwsCustomResource(this, 'Engine', {
      onCreate: getCanary,
      onUpdate: getCanary,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['synthetics:GetCanary'],
          resources: [
            stack.formatArn({ service: 'synthetics', resource: 'canary', resourceName: canaryName }),
          ],
        }),
      ]),
    });
    engine.node.addDependency(this.canary);
    // arn:aws:lambda:<region>:<account>:function:<name>[:<version>]
    const functionName = Fn.select(6, Fn.split(':', engine.getResponseField('Canary.EngineArn')));
    const logGroupName = `/aws/lambda/${functionName}`;
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/lambda/cwsyn-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const createLogGroup: cr.AwsSdkCall = {
      service: 'CloudWatchLogs',
      action: 'createLogGroup',
      parameters: { logGroupName },
      // The first run may already have created it.
      ignoreErrorCodesMatching: 'ResourceAlreadyExistsException',
      physicalResourceId: cr.PhysicalResourceId.of(logGroupName),
    };
    const runLogs = new cr.AwsCustomResource(this, 'RunLogsRetention', {
      onCreate: createLogGroup,
      // A replaced canary has a new function, so a new group.
      onUpdate: createLogGroup,
      ...(destroy
        ? {
            onDelete: {
              service: 'CloudWatchLogs',
              action: 'deleteLogGroup',
              parameters: { logGroupName },
              ignoreErrorCodesMatching: 'ResourceNotFoundException',
            },
          }
        : {}),
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy'],
          resources: [logGroupArn],
        }),
      ]),
    });
    // A group that never expires is what Lambda would have made anyway.
    if (retention === logs.RetentionDays.INFINITE) return;
    const retentionCall: cr.AwsSdkCall = {
      service: 'CloudWatchLogs',
      action: 'putRetentionPolicy',
      parameters: { logGroupName, retentionInDays: retention },
      physicalResourceId: cr.PhysicalResourceId.of(`${logGroupName}-retention`),
    };
    const retentionPolicy = new cr.AwsCustomResource(this, 'RunLogsRetentionDays', {
      onCreate: retentionCall,
      onUpdate: retentionCall,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['logs:PutRetentionPolicy'], resources: [logGroupArn] }),
      ]),
    });
    retentionPolicy.node.addDependency(runLogs);
    acknowledgeSdkCallFunction(this);
    for (const call of [runLogs, retentionPolicy]) {
      Validations.of(call).acknowledge({
        id: canaryLogsFinding(stack),
        reason: "the canary's function name, and so its log group's, is known only once the canary exists",
      });
    }
  }

  private acknowledgeRoleFindings(): void {
    const stack = Stack.of(this);
    const bucket = stack.getLogicalId(this.artifactsBucket.node.defaultChild as s3.CfnBucket);
    for (const [id, reason] of [
      [
        'AwsSolutions-IAM5[Resource::*]',
        'the Synthetics execution role CDK generates: s3:ListAllMyBuckets and cloudwatch:PutMetricData (conditioned on the CloudWatchSynthetics namespace) take no resource',
      ],
      [
        `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/*]`,
        'each run writes its report under a key of its own in the artifacts bucket, which holds nothing else',
      ],
      [
        canaryLogsFinding(stack),
        'the log group is named after the function Synthetics creates for the canary (cwsyn-<name>-<uuid>), unknown before deployment',
      ],
      [
        'Serverless-LambdaStarPermissions',
        'the wildcards are the Synthetics role above: no action is a wildcard and none is a Lambda permission',
      ],
    ] as const) {
      Validations.of(this.canary.role).acknowledge({ id, reason });
    }
  }
}

/** cdk-nag's id for a grant on the canaries' log groups (`/aws/lambda/cwsyn-*`) in this stack. */
function canaryLogsFinding(stack: Stack): string {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/lambda/cwsyn-*]`;
}
