import { Match } from 'aws-cdk-lib/assertions';
import { buildApp } from './app';

type Outputs = Record<string, { Value: unknown; Description?: string }>;

const outputsOf = (template: { toJSON(): Record<string, unknown> }) => template.toJSON().Outputs as Outputs;

describe('stack outputs: what a client needs to sign in and call the APIs, under stable keys', () => {
  const { statefulTemplate, statelessTemplate } = buildApp('sandbox');

  it('the stateful stack outputs the region, the user pool, its issuer, the SPA client, the Cognito domain and the partner scope', () => {
    const outputs = outputsOf(statefulTemplate);
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'Region',
        'UserPoolId',
        'UserPoolProviderUrl',
        'SpaClientId',
        'CognitoDomainUrl',
        'PartnerScope',
        'TableName',
      ]),
    );
    expect(outputs.Region?.Value).toBe('eu-west-1');
    expect(outputs.UserPoolId?.Value).toEqual({ Ref: expect.stringMatching(/^UserPool/) });
    expect(outputs.SpaClientId?.Value).toEqual({ Ref: expect.stringMatching(/^UserPoolSpaClient/) });
    expect(outputs.PartnerScope?.Value).toBe('events/write');
    expect(JSON.stringify(outputs.CognitoDomainUrl?.Value)).toContain('.auth.eu-west-1.amazoncognito.com');
  });

  it('the stateless stack outputs the region and the REST, public HTTP and WebSocket URLs', () => {
    const outputs = outputsOf(statelessTemplate);
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['Region', 'RestApiUrl', 'PublicApiUrl', 'WebSocketUrl']),
    );
    expect(JSON.stringify(outputs.RestApiUrl?.Value)).toContain('execute-api');
    expect(JSON.stringify(outputs.WebSocketUrl?.Value)).toContain('wss://');
  });

  it("with custom domains, the URLs are the custom domains' (clients come in there)", () => {
    const { statelessTemplate: withDomains } = buildApp('sandbox', {
      domainName: 'example.com',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    });
    const outputs = outputsOf(withDomains);
    expect(JSON.stringify(outputs.RestApiUrl?.Value)).toContain('example.com');
    expect(JSON.stringify(outputs.WebSocketUrl?.Value)).toContain('wss://');
    expect(JSON.stringify(outputs.WebSocketUrl?.Value)).toContain('example.com');
  });

  it("the SPA client allows SRP and the authorization-code grant (PKCE) on the stage's origins, and has no secret", () => {
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      // Then the sandbox's web console (https://<distribution domain>/auth/callback).
      CallbackURLs: [
        'http://localhost:5173/auth/callback',
        'http://localhost:3000/auth/callback',
        Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      ],
    });
    statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'events',
      Scopes: [Match.objectLike({ ScopeName: 'write' })],
    });
  });
});
