import { readAuthorizerConfig } from '../../services/authorizer/config';

const ENV = {
  TABLE_NAME: 'saas-orders',
  ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc',
  JWKS_URI: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/jwks.json',
  USER_POOL_CLIENT_ID: 'client0123456789abcdefghij',
};

describe('the authorizer configuration', () => {
  it("accepts a user pool's https JWKS", () => {
    expect(readAuthorizerConfig(ENV)).toEqual(ENV);
  });

  it.each(['http://127.0.0.1:4566/us-east-1_abc/.well-known/jwks.json', 'http://localhost:9229/jwks.json'])(
    'accepts a plain-http JWKS on a loopback host (%s)',
    (jwksUri) => {
      expect(readAuthorizerConfig({ ...ENV, JWKS_URI: jwksUri }).JWKS_URI).toBe(jwksUri);
    },
  );

  it('refuses a plain-http JWKS on any other host, since whoever serves the keys can mint tokens', () => {
    expect(() => readAuthorizerConfig({ ...ENV, JWKS_URI: 'http://keys.example.com/jwks.json' })).toThrow(
      /JWKS_URI: must be an https URL/,
    );
  });

  it('names every missing variable', () => {
    expect(() => readAuthorizerConfig({ TABLE_NAME: 'saas-orders' })).toThrow(
      /ISSUER.*JWKS_URI.*USER_POOL_CLIENT_ID/,
    );
  });
});
