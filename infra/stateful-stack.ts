import { Aspects, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TABLE } from '../shared/table';
import type { StageConfig } from './config';
import { JOB_WORKER_TIMEOUT, JobsQueue } from './jobs-queue';
import { applyLogRetention } from './log-retention';
import { StageRemovalPolicy } from './stage-removal-policy';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * Everything that holds data and outlives deployments of the code: the table, the idempotency table
 * and the user pool. The stateless stack receives these as typed props.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.ITable;
  readonly idempotencyTable: dynamodb.ITable;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** The async jobs queue (and its dead-letter queue) the jobs capability sends to and its worker reads. */
  readonly jobsQueue: JobsQueue;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    Aspects.of(this).add(new StageRemovalPolicy(props.config));
    applyLogRetention(this, props.config);

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: TABLE.gsi1.name,
          partitionKey: { name: TABLE.gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: TABLE.gsi1.sortKey, type: dynamodb.AttributeType.STRING },
        },
      ],
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: TABLE.ttlAttribute,
      deletionProtection: props.config.retainData,
    });

    // Powertools idempotency records live apart from business data: they are keyed by a hash, not by
    // tenant, and expire by TTL.
    this.idempotencyTable = new dynamodb.TableV2(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiration',
    });

    this.jobsQueue = new JobsQueue(this, 'Jobs', {
      // AWS's advice for SQS event sources: at least six times the function's timeout.
      visibilityTimeout: Duration.seconds(6 * JOB_WORKER_TIMEOUT.toSeconds()),
    });

    const userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        tenantId: new cognito.StringAttribute({ minLen: 17, maxLen: 17, mutable: false }),
        role: new cognito.StringAttribute({ minLen: 5, maxLen: 6, mutable: false }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: props.config.mfaRequired ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: props.config.retainData,
    });
    this.userPool = userPool;
    if (!props.config.mfaRequired) {
      Validations.of(userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason: `stage ${props.config.stage} is a sandbox/workshop stage: TOTP MFA is offered, not required (prod requires it)`,
      });
    }
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'the Plus feature plan (threat protection) is billed per active user; enable it for production tenants that need it',
    });

    for (const group of ['admin', 'member']) {
      new cognito.CfnUserPoolGroup(this, `${group[0]?.toUpperCase()}${group.slice(1)}Group`, {
        userPoolId: userPool.userPoolId,
        groupName: group,
        description: `tenant ${group}s`,
      });
    }

    // The SPA client: public (no secret), SRP sign-in, short-lived tokens. It may read the tenant and
    // role attributes but never write them: only onboarding (AdminCreateUser) sets them, once.
    const readAttributes = new cognito.ClientAttributes()
      .withStandardAttributes({ email: true, emailVerified: true })
      .withCustomAttributes('tenantId', 'role');
    const writeAttributes = new cognito.ClientAttributes().withStandardAttributes({ email: true });
    this.userPoolClient = userPool.addClient('SpaClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.minutes(60),
      accessTokenValidity: Duration.minutes(60),
      refreshTokenValidity: Duration.days(30),
      readAttributes,
      writeAttributes,
    });
  }
}
