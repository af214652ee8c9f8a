import { Aspects, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { APP_NAME } from '../shared/app-name';
import { PARTNER_SCOPE } from '../shared/partner-scope';
import { TABLE } from '../shared/table';
import type { StageConfig } from './config';
import { ConsoleHosting } from './console-site';
import { FilesBucket } from './files-bucket';
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
  /** The managed-login (hosted UI) domain: `/oauth2/authorize`, `/oauth2/token` for the SPA and partner clients. */
  readonly userPoolDomain: cognito.UserPoolDomain;
  /** The resource server whose `events/write` scope a partner's machine client is granted. */
  readonly partnerResourceServer: cognito.UserPoolResourceServer;
  /** The async jobs queue (and its dead-letter queue) the jobs capability sends to and its worker reads. */
  readonly jobsQueue: JobsQueue;
  /** The web console's bucket and distribution, when the stage has a console (`-c console=…`). */
  readonly consoleHosting?: ConsoleHosting;
  /** Tenant files (uploads to import, reports to download), announced on the jobs queue when they arrive. */
  readonly files: FilesBucket;

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
    // A Cognito prefix domain for managed login and /oauth2/token. The prefix is global to the region, so the
    // account is part of it (and Cognito reserves "aws" and "cognito": neither may appear).
    this.userPoolDomain = userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: `${APP_NAME}-${props.config.stage}-${this.account}` },
    });
    // Partners (carriers posting tracking events) sign in as machines: client credentials for the `events/write`
    // scope. Their clients are created per tenant (a client belongs to one tenant), not here.
    this.partnerResourceServer = userPool.addResourceServer('EventsResourceServer', {
      identifier: PARTNER_SCOPE.resourceServer,
      userPoolResourceServerName: `${APP_NAME} partner events`,
      scopes: [
        new cognito.ResourceServerScope({
          scopeName: PARTNER_SCOPE.scopeName,
          scopeDescription: 'post shipment events for the tenant the client belongs to',
        }),
      ],
    });

    // The console's origin is a callback URL of the SPA client, beside the configured origins (local dev servers).
    this.consoleHosting = props.config.console
      ? new ConsoleHosting(this, 'Console', {
          stage: props.config.stage,
          retainData: props.config.retainData,
        })
      : undefined;
    const signInOrigins = [
      ...props.config.allowedOrigins,
      ...(this.consoleHosting ? [this.consoleHosting.origin] : []),
    ];
    // The hosted console uploads imports to and downloads reports from the files bucket straight from the browser.
    this.files = new FilesBucket(this, 'Files', {
      allowedOrigins: signInOrigins,
      uploadsQueue: this.jobsQueue.queue,
    });
    this.userPoolClient = userPool.addClient('SpaClient', {
      generateSecret: false,
      // SRP for the SPA's own form and the CLI; the authorization-code grant with PKCE for managed login.
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: signInOrigins.map((origin) => `${origin}/auth/callback`),
        logoutUrls: signInOrigins.map((origin) => `${origin}/`),
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.minutes(60),
      accessTokenValidity: Duration.minutes(60),
      refreshTokenValidity: Duration.days(30),
      readAttributes,
      writeAttributes,
    });

    // What a client (the CLI, an SPA, a partner) needs to sign in, under stable keys: `cdk deploy
    // --outputs-file` and the local cloud's outputs file carry the same ones.
    const outputs: Record<string, [string, string]> = {
      Region: [this.region, 'The region of the user pool and APIs'],
      UserPoolId: [userPool.userPoolId, 'The user pool'],
      UserPoolProviderUrl: [userPool.userPoolProviderUrl, "The issuer (iss) of the pool's tokens"],
      SpaClientId: [
        this.userPoolClient.userPoolClientId,
        'The public app client (SRP, authorization code + PKCE)',
      ],
      CognitoDomainUrl: [this.userPoolDomain.baseUrl(), 'Managed login and /oauth2/token'],
      PartnerScope: [PARTNER_SCOPE.fullName, 'The scope a partner client needs for POST /events'],
      TableName: [
        this.table.tableName,
        'The table (partner client bindings are written here by the operator)',
      ],
      ...(this.consoleHosting
        ? { ConsoleUrl: [this.consoleHosting.origin, 'The web console'] as [string, string] }
        : {}),
      FilesBucketName: [this.files.bucket.bucketName, 'Tenant files: uploads to import, reports'],
    };
    for (const [key, [value, description]] of Object.entries(outputs))
      new CfnOutput(this, key, { value, description });
  }
}
