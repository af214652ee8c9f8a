import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CONSOLE_OUTPUT_KEYS } from '../../console/console-config';
import { appTemplates, buildApp } from './app';

type Resource = { Type: string; Properties: Record<string, unknown> };

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.findResources(type) as Record<string, Resource>);

/** `Fn::GetAtt` of the distribution's domain name, as either stack refers to it (the stateless one by import). */
const mentionsDistribution = (value: unknown) =>
  /ConsoleDistribution[0-9A-F]{8}.*DomainName/.test(JSON.stringify(value));

function nagFindings(built: ReturnType<typeof buildApp>): string[] {
  return [built.stateful, built.stateless].flatMap((stack) =>
    [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack
        .validateScope(stack)
        .violations.flatMap((v) =>
          v.violatingResources.map((r) => `${v.ruleName} ${(r as { constructPath?: string }).constructPath}`),
        ),
    ),
  );
}

describe('the web console in a sandbox (on by default)', () => {
  const { statefulTemplate, statelessTemplate } = appTemplates('sandbox');

  it('serves a private bucket through CloudFront with origin access control and security headers', () => {
    const [[, distribution]] = resourcesOf(statefulTemplate, 'AWS::CloudFront::Distribution') as [
      [string, Resource],
    ];
    const config = distribution.Properties.DistributionConfig as Record<string, unknown>;
    expect(config).toMatchObject({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https', Compress: true },
      CustomErrorResponses: [
        { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html' },
        { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html' },
      ],
    });
    const [origin] = config.Origins as Array<Record<string, unknown>>;
    expect(origin?.OriginAccessControlId).toBeDefined();
    expect(resourcesOf(statefulTemplate, 'AWS::CloudFront::OriginAccessControl')).toHaveLength(1);

    const [[, bucket]] = resourcesOf(statefulTemplate, 'AWS::S3::Bucket') as [[string, Resource]];
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });

    const [[, policy]] = resourcesOf(statefulTemplate, 'AWS::CloudFront::ResponseHeadersPolicy') as [
      [string, Resource],
    ];
    const headers = (
      policy.Properties.ResponseHeadersPolicyConfig as {
        SecurityHeadersConfig: Record<string, unknown> & {
          ContentSecurityPolicy?: { ContentSecurityPolicy?: string };
        };
      }
    ).SecurityHeadersConfig;
    expect(headers).toMatchObject({
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer' },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000 },
    });
    expect(String(headers?.ContentSecurityPolicy?.ContentSecurityPolicy)).toMatch(
      /default-src 'self'.*connect-src 'self' https: wss:.*frame-ancestors 'none'/,
    );
  });

  it("lets the console's origin sign in (callback and sign-out URLs) and call the APIs (CORS)", () => {
    const [[, client]] = resourcesOf(statefulTemplate, 'AWS::Cognito::UserPoolClient').filter(([id]) =>
      id.startsWith('UserPoolSpaClient'),
    ) as [[string, Resource]];
    expect(mentionsDistribution(client.Properties.CallbackURLs)).toBe(true);
    expect(mentionsDistribution(client.Properties.LogoutURLs)).toBe(true);
    // The local dev origins stay: `npm start` serves the console on http://localhost:5173.
    expect(JSON.stringify(client.Properties.CallbackURLs)).toContain('http://localhost:5173/auth/callback');

    const orders = resourcesOf(statelessTemplate, 'AWS::Lambda::Function').find(
      ([, fn]) =>
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
          ?.POWERTOOLS_SERVICE_NAME === 'orders',
    );
    if (orders === undefined) throw new Error('no orders function in the stateless stack');
    const env = (orders[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(mentionsDistribution(env.ALLOWED_ORIGINS)).toBe(true);
    const [[, httpApi]] = resourcesOf(statelessTemplate, 'AWS::ApiGatewayV2::Api').filter(
      ([, api]) => api.Properties.ProtocolType === 'HTTP',
    ) as [[string, Resource]];
    expect(
      mentionsDistribution((httpApi.Properties.CorsConfiguration as Record<string, unknown>).AllowOrigins),
    ).toBe(true);
  });

  it('publishes the build and a config.json holding the stack outputs, then invalidates the distribution', () => {
    const [[, deployment]] = resourcesOf(statelessTemplate, 'Custom::CDKBucketDeployment') as [
      [string, Resource],
    ];
    expect(deployment.Properties.DistributionPaths).toEqual(['/*']);
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(deployment.Properties.SourceMarkers);
    // Each value of config.json is a deploy-time reference to what the outputs hold.
    for (const key of ['RestApi', 'PublicApi', 'UserPool', 'SpaClient', 'Domain'])
      expect(markers).toContain(key);
    const outputs = { ...statefulTemplate.toJSON().Outputs, ...statelessTemplate.toJSON().Outputs };
    for (const key of Object.values(CONSOLE_OUTPUT_KEYS)) expect(outputs).toHaveProperty(key);
    expect(statefulTemplate.toJSON().Outputs).toHaveProperty('ConsoleUrl');
  });

  it('leaves no cdk-nag finding unacknowledged in either stack', () => {
    expect(nagFindings(buildApp('sandbox'))).toEqual([]);
  });
});

describe('the web console in prod', () => {
  it('is off by default and on with -c console=true', () => {
    const off = appTemplates('prod');
    expect(resourcesOf(off.statefulTemplate, 'AWS::CloudFront::Distribution')).toHaveLength(0);
    expect(resourcesOf(off.statelessTemplate, 'Custom::CDKBucketDeployment')).toHaveLength(0);
    const built = buildApp('prod', { console: true });
    expect(resourcesOf(built.statefulTemplate, 'AWS::CloudFront::Distribution')).toHaveLength(1);
    expect(nagFindings(built)).toEqual([]);
  });
});
