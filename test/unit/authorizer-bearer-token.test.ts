import { bearerToken, MAX_TOKEN_LENGTH } from '../../services/authorizer/bearer-token';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('the bearer token of a TOKEN authorizer event', () => {
  it('is the JWT after "Bearer "', () => {
    expect(bearerToken(`Bearer ${JWT}`)).toBe(JWT);
  });

  it.each(['bearer', 'BEARER', 'bEaReR'])('takes the scheme in any case, as RFC 7235 says (%s)', (scheme) => {
    expect(bearerToken(`${scheme} ${JWT}`)).toBe(JWT);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['a raw token without the scheme', JWT],
    ['another scheme', `Basic ${JWT}`],
    ['two spaces after the scheme', `Bearer  ${JWT}`],
    ['a trailing space', `Bearer ${JWT} `],
    ['not three dot-separated parts', 'Bearer abc.def'],
    ['characters outside base64url', 'Bearer abc.d+f.ghi'],
  ])('is refused with Unauthorized when the header is %s', (_what, header) => {
    expect(() => bearerToken(header)).toThrow(new Error('Unauthorized'));
  });

  it('accepts a token of exactly the size limit', () => {
    const token = `${'a'.repeat(MAX_TOKEN_LENGTH - 4)}.b.c`;
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
  });

  it('refuses a token one character over the size limit before looking at it', () => {
    const token = `${'a'.repeat(MAX_TOKEN_LENGTH - 3)}.b.c`;
    expect(() => bearerToken(`Bearer ${token}`)).toThrow(new Error('Unauthorized'));
  });
});
