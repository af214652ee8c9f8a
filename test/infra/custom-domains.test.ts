import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { appTemplates, buildApp } from './app';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
const ZONE = 'Z0123456789ABC';

/** Every resource type this feature adds: none of them may exist without a domain. */
const DOMAIN_TYPES = [
  'AWS::ApiGateway::DomainName',
  'AWS::ApiGateway::BasePathMapping',
  'AWS::ApiGatewayV2::DomainName',
  'AWS::ApiGatewayV2::ApiMapping',
  'AWS::Route53::RecordSet',
  'AWS::CertificateManager::Certificate',
];

const apps = {
  prodWithZone: buildApp('prod', { domainName: 'example.com', hostedZoneId: ZONE }),
  prodWithCertificateOnly: buildApp('prod', {
    domainName: 'example.com',
    certificateArn: CERT,
    disableDefaultEndpoints: 'true',
  }),
  sandboxWithBoth: appTemplates('sandbox', {
    domainName: 'sandbox.example.org',
    hostedZoneId: ZONE,
    certificateArn: CERT,
  }),
  prodWithout: appTemplates('prod'),
  sandboxWithout: appTemplates('sandbox'),
};
const withZone = apps.prodWithZone.statelessTemplate;
const certificateOnly = apps.prodWithCertificateOnly.statelessTemplate;
const sandbox = apps.sandboxWithBoth.statelessTemplate;

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
const resources = (template: Template) => template.toJSON().Resources as Record<string, Resource>;
const ofType = (template: Template, type: string) =>
  Object.entries(resources(template)).filter(([, r]) => r.Type === type);
const propsOfType = (template: Template, type: string) => ofType(template, type).map(([, r]) => r.Properties);
/** The logical id of the one resource of `type` whose properties include `match`. */
const idOf = (template: Template, type: string, match: (p: Record<string, unknown>) => boolean) => {
  const found = ofType(template, type).filter(([, r]) => match(r.Properties));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return (found[0] as [string, Resource])[0];
};
const v2DomainConfig = (template: Template, name: string) => {
  const domain = propsOfType(template, 'AWS::ApiGatewayV2::DomainName').find((p) => p.DomainName === name);
  return (domain?.DomainNameConfigurations as Array<Record<string, unknown>> | undefined)?.[0];
};
const restApiId = (template: Template) => idOf(template, 'AWS::ApiGateway::RestApi', () => true);
const httpApiId = (template: Template) =>
  idOf(template, 'AWS::ApiGatewayV2::Api', (p) => p.ProtocolType === 'HTTP');
const webSocketApiId = (template: Template) =>
  idOf(template, 'AWS::ApiGatewayV2::Api', (p) => p.ProtocolType === 'WEBSOCKET');
const callbackUrl = (template: Template) => {
  const broadcaster = propsOfType(template, 'AWS::Lambda::Function').find(
    (p) =>
      (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === 'broadcaster',
  );
  if (broadcaster === undefined) throw new Error('no broadcaster function in the template');
  return (broadcaster.Environment as { Variables: Record<string, unknown> }).Variables.CALLBACK_URL;
};
const outputValues = (template: Template) =>
  Object.values(template.toJSON().Outputs as Record<string, { Value: unknown }>).map((o) => o.Value);

describe('custom domains, when configured', () => {
  it('serves the REST API on api.<domain>, regional and dual-stack, with a TLS 1.2-minimum, forward-secret, post-quantum policy in STRICT mode', () => {
    for (const [template, name] of [
      [withZone, 'api.example.com'],
      [sandbox, 'api.sandbox.example.org'],
    ] as const) {
      expect(propsOfType(template, 'AWS::ApiGateway::DomainName')).toEqual([
        {
          DomainName: name,
          EndpointConfiguration: { Types: ['REGIONAL'], IpAddressType: 'dualstack' },
          SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
          EndpointAccessMode: 'STRICT',
          RegionalCertificateArn: expect.anything(),
        },
      ]);
    }
  });

  it('maps the REST API stage under the base path v1 only (api.<domain>/v1/orders)', () => {
    const mappings = propsOfType(withZone, 'AWS::ApiGateway::BasePathMapping');
    expect(mappings).toEqual([
      {
        BasePath: 'v1',
        DomainName: { Ref: idOf(withZone, 'AWS::ApiGateway::DomainName', () => true) },
        RestApiId: { Ref: restApiId(withZone) },
        Stage: { Ref: idOf(withZone, 'AWS::ApiGateway::Stage', (p) => p.StageName === 'prod') },
      },
    ]);
  });

  it('serves the HTTP API on public.<domain> and the WebSocket API on ws.<domain>: regional, dual-stack, TLS 1.2', () => {
    for (const name of ['public.example.com', 'ws.example.com']) {
      expect(v2DomainConfig(withZone, name)).toEqual({
        EndpointType: 'REGIONAL',
        IpAddressType: 'dualstack',
        SecurityPolicy: 'TLS_1_2',
        CertificateArn: expect.anything(),
      });
    }
    expect(propsOfType(withZone, 'AWS::ApiGatewayV2::DomainName')).toHaveLength(2);
  });

  it('maps the HTTP API $default stage and the WebSocket stage at the root of their domains (no mapping key)', () => {
    const domainId = (name: string) =>
      idOf(withZone, 'AWS::ApiGatewayV2::DomainName', (p) => p.DomainName === name);
    const mappings = propsOfType(withZone, 'AWS::ApiGatewayV2::ApiMapping');
    expect(mappings).toHaveLength(2);
    expect(mappings).toEqual(
      expect.arrayContaining([
        {
          ApiId: { Ref: httpApiId(withZone) },
          DomainName: { Ref: domainId('public.example.com') },
          Stage: '$default',
        },
        {
          ApiId: { Ref: webSocketApiId(withZone) },
          DomainName: { Ref: domainId('ws.example.com') },
          Stage: 'prod',
        },
      ]),
    );
    for (const mapping of mappings) expect(mapping.ApiMappingKey).toBeUndefined();
  });

  it('requests a DNS-validated *.<domain> certificate in the hosted zone when none is given, used by all three domains', () => {
    const certificates = ofType(withZone, 'AWS::CertificateManager::Certificate');
    expect(certificates.map(([, c]) => c.Properties)).toEqual([
      expect.objectContaining({
        DomainName: '*.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: '*.example.com', HostedZoneId: ZONE }],
      }),
    ]);
    const ref = { Ref: (certificates[0] as [string, Resource])[0] };
    expect(propsOfType(withZone, 'AWS::ApiGateway::DomainName')[0]?.RegionalCertificateArn).toEqual(ref);
    for (const name of ['public.example.com', 'ws.example.com']) {
      expect(v2DomainConfig(withZone, name)?.CertificateArn).toEqual(ref);
    }
  });

  it('uses a given certificate ARN as it is and requests none, with or without a zone', () => {
    for (const template of [certificateOnly, sandbox]) {
      expect(ofType(template, 'AWS::CertificateManager::Certificate')).toEqual([]);
      expect(propsOfType(template, 'AWS::ApiGateway::DomainName')[0]?.RegionalCertificateArn).toBe(CERT);
      for (const domain of propsOfType(template, 'AWS::ApiGatewayV2::DomainName')) {
        expect((domain.DomainNameConfigurations as Array<Record<string, unknown>>)[0]?.CertificateArn).toBe(
          CERT,
        );
      }
    }
  });

  it('points A and AAAA alias records in the zone at each regional domain endpoint', () => {
    const records = propsOfType(withZone, 'AWS::Route53::RecordSet');
    expect(records).toHaveLength(6);
    for (const [name, type] of [
      ['api.example.com', 'AWS::ApiGateway::DomainName'],
      ['public.example.com', 'AWS::ApiGatewayV2::DomainName'],
      ['ws.example.com', 'AWS::ApiGatewayV2::DomainName'],
    ] as const) {
      const domainId = idOf(withZone, type, (p) => p.DomainName === name);
      for (const recordType of ['A', 'AAAA']) {
        expect(records).toContainEqual({
          Name: `${name}.`,
          Type: recordType,
          HostedZoneId: ZONE,
          AliasTarget: {
            DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
            HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
          },
        });
      }
    }
  });

  it('adds no DNS records without a hosted zone, but still the domains and mappings', () => {
    expect(ofType(certificateOnly, 'AWS::Route53::RecordSet')).toEqual([]);
    expect(ofType(certificateOnly, 'AWS::ApiGateway::DomainName')).toHaveLength(1);
    expect(ofType(certificateOnly, 'AWS::ApiGateway::BasePathMapping')).toHaveLength(1);
    expect(ofType(certificateOnly, 'AWS::ApiGatewayV2::DomainName')).toHaveLength(2);
    expect(ofType(certificateOnly, 'AWS::ApiGatewayV2::ApiMapping')).toHaveLength(2);
  });

  it('outputs the three resulting URLs', () => {
    expect(outputValues(withZone)).toEqual(
      expect.arrayContaining([
        'https://api.example.com/v1',
        'https://public.example.com',
        'wss://ws.example.com',
      ]),
    );
    expect(outputValues(sandbox)).toEqual(
      expect.arrayContaining([
        'https://api.sandbox.example.org/v1',
        'https://public.sandbox.example.org',
        'wss://ws.sandbox.example.org',
      ]),
    );
  });

  it('keeps the execute-api endpoints and the broadcaster on them unless asked otherwise', () => {
    for (const template of [withZone, sandbox]) {
      for (const type of ['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api']) {
        for (const api of propsOfType(template, type)) expect(api.DisableExecuteApiEndpoint).toBeUndefined();
      }
      expect(JSON.stringify(callbackUrl(template))).toContain('.execute-api.');
    }
  });

  it('turns off the execute-api endpoint of all three APIs when asked, and posts @connections through ws.<domain>', () => {
    for (const id of [
      restApiId(certificateOnly),
      httpApiId(certificateOnly),
      webSocketApiId(certificateOnly),
    ]) {
      expect(resources(certificateOnly)[id]?.Properties.DisableExecuteApiEndpoint).toBe(true);
    }
    expect(callbackUrl(certificateOnly)).toBe('https://ws.example.com');
  });

  it('redeploys the REST API when its default endpoint is turned off (the flag applies with a new deployment)', () => {
    const deploymentId = (template: Template) => idOf(template, 'AWS::ApiGateway::Deployment', () => true);
    expect(deploymentId(withZone)).toBe(deploymentId(apps.prodWithout.statelessTemplate));
    expect(deploymentId(certificateOnly)).not.toBe(deploymentId(apps.prodWithout.statelessTemplate));
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('leaves no unacknowledged %s finding with a domain', (_name, pack) => {
    for (const app of [apps.prodWithZone, apps.prodWithCertificateOnly]) {
      const report = pack().validateScope(app.stateless);
      const findings = report.violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} ${(r as { constructPath?: string }).constructPath}`),
      );
      expect(findings).toEqual([]);
    }
  });
});

describe('custom domains, when not configured', () => {
  it.each([
    ['prod', apps.prodWithout],
    ['sandbox', apps.sandboxWithout],
  ])('%s has no domain resource, no domain output and every execute-api endpoint on', (_stage, app) => {
    for (const template of [app.statelessTemplate, app.statefulTemplate]) {
      for (const type of DOMAIN_TYPES) expect(ofType(template, type)).toEqual([]);
    }
    const template = app.statelessTemplate;
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs).filter((id) => id.startsWith('Domains'))).toEqual([]);
    // The WebSocket URL output is the execute-api one: no custom domain name.
    expect(JSON.stringify((outputs.WebSocketUrl as { Value: unknown }).Value)).toContain('.execute-api.');
    for (const type of ['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api']) {
      for (const api of propsOfType(template, type)) expect(api.DisableExecuteApiEndpoint).toBeUndefined();
    }
    expect(JSON.stringify(callbackUrl(template))).toContain('.execute-api.');
  });
});
