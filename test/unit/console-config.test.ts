import { consoleConfigFromOutputs } from '../../console/console-config';

const STATEFUL = {
  Region: 'eu-west-1',
  UserPoolId: 'eu-west-1_Pool',
  SpaClientId: 'client123',
  CognitoDomainUrl: 'https://saas-orders-sandbox-1.auth.eu-west-1.amazoncognito.com',
  TableName: 'ignored',
};
const STATELESS = {
  RestApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/sandbox/',
  PublicApiUrl: 'https://def.execute-api.eu-west-1.amazonaws.com/',
  WebSocketUrl: 'wss://ghi.execute-api.eu-west-1.amazonaws.com/sandbox',
};

describe("the console's config from the stack outputs", () => {
  it('takes each value from its output, without trailing slashes, and exchanges codes at the Cognito domain', () => {
    expect(
      consoleConfigFromOutputs({
        'SaasOrders-sandbox-Stateful': STATEFUL,
        'SaasOrders-sandbox-Stateless': STATELESS,
      }),
    ).toEqual({
      region: 'eu-west-1',
      apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/sandbox',
      publicApiUrl: 'https://def.execute-api.eu-west-1.amazonaws.com',
      webSocketUrl: 'wss://ghi.execute-api.eu-west-1.amazonaws.com/sandbox',
      userPoolId: 'eu-west-1_Pool',
      clientId: 'client123',
      cognitoDomainUrl: 'https://saas-orders-sandbox-1.auth.eu-west-1.amazoncognito.com',
      tokenUrl: 'https://saas-orders-sandbox-1.auth.eu-west-1.amazoncognito.com/oauth2/token',
    });
  });

  it('uses the token URL it is given (the local console server forwards /oauth2/token)', () => {
    expect(
      consoleConfigFromOutputs({ a: STATEFUL, b: STATELESS }, { tokenUrl: '/oauth2/token' }).tokenUrl,
    ).toBe('/oauth2/token');
  });

  it('names every missing output', () => {
    const { SpaClientId: _client, ...withoutClient } = STATEFUL;
    expect(() => consoleConfigFromOutputs({ a: withoutClient })).toThrow(
      'the stack outputs lack RestApiUrl, PublicApiUrl, WebSocketUrl, SpaClientId: deploy both stacks',
    );
  });
});
