import { join } from 'node:path';
import { DockerImage, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildConsole } from '../console/build';
import type { ConsoleConfig } from '../console/console-config';

const CONSOLE_DIR = join(__dirname, '..', 'console');

/**
 * What the console's pages may load and call: their own scripts and styles only, the APIs and the Cognito domain
 * over HTTPS and the live updates over WSS (their hosts are deploy-time values of the other stack, hence the scheme
 * sources), never framed.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

export interface ConsoleHostingProps {
  readonly stage: string;
  /** Keep the bucket when the stack is deleted (prod); else it is emptied and deleted with it. */
  readonly retainData: boolean;
}

/** A stack's account and region as cdk-nag prints them in a finding (`<AWS::AccountId>` when environment-agnostic). */
function nagEnvironment(stack: Stack) {
  return {
    account: Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
    region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
  };
}

/**
 * Where the web console is served from: a private S3 bucket behind a CloudFront distribution (origin access
 * control: only the distribution reads the bucket) with a security-headers response policy. It lives in the
 * stateful stack because its origin is part of the identity setup: the SPA client's callback and sign-out URLs name
 * it, and redeploying the stateless stack must not change it. The files are published by {@link ConsolePublishing}.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  /**
   * `saas-orders-console-<stage>-<account>-<region>`: named, so the publishing stack addresses it without an import
   * (and its grants are known at synth, for the cdk-nag acknowledgements).
   */
  readonly bucketName: string;
  readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>`: a CORS origin of the APIs and the prefix of the SPA client's callback URL. */
  readonly origin: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucketName = `saas-orders-console-${props.stage}-${stack.account}-${stack.region}`;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: this.bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !props.retainData,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'holds only the built console, written by the deployment; CloudFront serves it, and an access-log bucket would need one of its own',
    });

    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'saas-orders console: CSP, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `saas-orders console (${Stack.of(this).stackName})`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      // The app's own routes (/auth/callback, /store/…, /track/…) are no objects: S3 answers 403 without
      // ListBucket, and the app is served instead, which renders the route.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.minutes(5),
      })),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    for (const [id, reason] of [
      [
        'AwsSolutions-CFR1',
        'a sign-in console for tenants wherever they are: no country is refused (add geo restrictions per deployment if needed)',
      ],
      [
        'AwsSolutions-CFR2',
        'static files only, every API call goes to the APIs (the REST stage has its own WAF in prod); a web ACL here is billed monthly',
      ],
      [
        'AwsSolutions-CFR3',
        'static files only: the APIs keep the access logs that matter, and standard logging would need a log bucket',
      ],
      [
        'AwsSolutions-CFR4',
        "the default *.cloudfront.net certificate, whose TLS floor CloudFront sets; a custom domain's certificate takes minimumProtocolVersion TLSv1.2_2021",
      ],
    ] as const) {
      Validations.of(this.distribution).acknowledge({ id, reason });
    }
    this.origin = `https://${this.distribution.distributionDomainName}`;
  }
}

export interface ConsolePublishingProps {
  readonly hosting: ConsoleHosting;
  /** `/config.json`: the stack outputs the console reads (deploy-time values). */
  readonly config: ConsoleConfig;
}

/**
 * Publishes the console into its hosting on every deploy: the build (esbuild at synth, console/build.ts) and
 * `/config.json` from the stacks' outputs, then invalidates the distribution so the new files are served at once.
 */
export class ConsolePublishing extends Construct {
  readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: ConsolePublishingProps) {
    super(scope, id);
    const build = s3deploy.Source.asset(CONSOLE_DIR, {
      bundling: {
        // Never used: esbuild runs in this process (local bundling always succeeds).
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24-slim'),
        local: {
          tryBundle(outputDir) {
            buildConsole(outputDir);
            return true;
          },
        },
      },
    });
    this.deployment = new s3deploy.BucketDeployment(this, 'Files', {
      destinationBucket: s3.Bucket.fromBucketName(this, 'Bucket', props.hosting.bucketName),
      sources: [build, s3deploy.Source.jsonData('config.json', props.config)],
      distribution: props.hosting.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    acknowledgeBucketDeploymentFunction(this, props.hosting.bucketName);
  }
}

/** cdk-nag findings on CDK's own bucket-deployment function (one per stack and memory size), invoked by CloudFormation. */
function acknowledgeBucketDeploymentFunction(scope: Construct, bucketName: string): void {
  const stack = Stack.of(scope);
  const singleton = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (singleton === undefined) throw new Error('no bucket-deployment function in the stack');
  const { account, region } = nagEnvironment(stack);
  const qualifier = String(stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? 'hnb659fds');
  const consoleBucket = bucketName.replace(stack.account, account).replace(stack.region, region);
  const wildcards =
    'CDK-provided deployment function: CDK grants it these on the asset bucket and the console bucket only';
  for (const [id, reason] of [
    ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(
      (action) => [`AwsSolutions-IAM5[Action::${action}]`, wildcards] as const,
    ),
    [
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-${account}-${region}/*]`,
      wildcards,
    ],
    [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${consoleBucket}/*]`, wildcards],
    [
      'AwsSolutions-IAM5[Resource::*]',
      'cloudfront:CreateInvalidation and GetInvalidation, which CDK grants on every distribution',
    ],
    [
      'Serverless-LambdaLatestVersion',
      'CDK-provided deployment function: CDK pins its Python runtime with the AWS CLI layer',
    ],
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'CDK-provided deployment function: logging only',
    ],
    [
      'AwsSolutions-L1',
      'CDK-provided deployment function: CDK pins its Python runtime with the AWS CLI layer',
    ],
    ['Serverless-LambdaDLQ', 'invoked synchronously by CloudFormation, which reports failures'],
    ['Serverless-LambdaTracing', 'CDK-provided deployment function, runs once per deployment'],
    ['Serverless-LambdaDefaultMemorySize', 'CDK-provided deployment function, runs once per deployment'],
  ] as const) {
    Validations.of(singleton).acknowledge({ id, reason });
  }
}
