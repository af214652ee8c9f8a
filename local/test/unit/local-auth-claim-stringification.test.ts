import { formatClaimDate, stringifyClaims } from '../../rest-api/authorizers/claim-stringification';

describe('Cognito authorizer claim stringification', () => {
  it('renders exp and iat as API Gateway does in the captured event', () => {
    // Values from the AWS capture apigw-rest_jwt-authorizer-auth.json.
    expect(formatClaimDate(1718722804)).toBe('Tue Jun 18 15:00:04 UTC 2024');
    expect(formatClaimDate(1718636404)).toBe('Mon Jun 17 15:00:04 UTC 2024');
  });

  it('pads single-digit days and times', () => {
    expect(formatClaimDate(Date.UTC(2025, 0, 5, 3, 4, 5) / 1000)).toBe('Sun Jan 05 03:04:05 UTC 2025');
  });

  it('turns every claim into a string, keeping auth_time numeric and joining arrays with commas', () => {
    const claims = stringifyClaims({
      sub: 'd2f50444-0041-7036-aea2-a955fca33d37',
      'cognito:groups': ['admin', 'member'],
      email_verified: true,
      auth_time: 1718636404,
      exp: 1718722804,
      iat: 1718636404,
      'custom:tenantId': 'tnt_0123456789abc',
    });
    expect(claims).toEqual({
      sub: 'd2f50444-0041-7036-aea2-a955fca33d37',
      'cognito:groups': 'admin,member',
      email_verified: 'true',
      auth_time: '1718636404',
      exp: 'Tue Jun 18 15:00:04 UTC 2024',
      iat: 'Mon Jun 17 15:00:04 UTC 2024',
      'custom:tenantId': 'tnt_0123456789abc',
    });
    for (const value of Object.values(claims)) expect(typeof value).toBe('string');
  });
});
