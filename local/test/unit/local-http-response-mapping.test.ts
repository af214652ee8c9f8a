import { mapV1Result, mapV2Result } from '../../http-api/http-api-response';

const text = (body: Buffer) => body.toString('utf8');

describe('payload 2.0 Lambda result mapping', () => {
  it('turns a result without statusCode into a 200 application/json body of the serialized value', () => {
    const object = mapV2Result({ hello: 'world' });
    expect(object?.statusCode).toBe(200);
    expect(object?.headers['content-type']).toEqual(['application/json']);
    expect(text(object?.body ?? Buffer.alloc(0))).toBe('{"hello":"world"}');
    expect(text(mapV2Result('hi')?.body ?? Buffer.alloc(0))).toBe('"hi"');
    expect(text(mapV2Result(null)?.body ?? Buffer.alloc(0))).toBe('null');
  });

  it('honours statusCode, headers (lowercased, scalars stringified), cookies and base64 bodies', () => {
    const mapped = mapV2Result({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Count': 3 },
      cookies: ['a=1', 'b=2; Secure'],
      body: Buffer.from('created').toString('base64'),
      isBase64Encoded: true,
    });
    expect(mapped).toEqual({
      statusCode: 201,
      headers: { 'content-type': ['text/plain'], 'x-count': ['3'], 'set-cookie': ['a=1', 'b=2; Secure'] },
      body: Buffer.from('created'),
    });
  });

  it('defaults the content type to application/json when a structured result names none', () => {
    expect(mapV2Result({ statusCode: 204 })?.headers['content-type']).toEqual(['application/json']);
  });

  it.each([
    ['a non-integer statusCode', { statusCode: 'two hundred' }],
    ['an out-of-range statusCode', { statusCode: 99 }],
    ['a non-string body', { statusCode: 200, body: { a: 1 } }],
    ['an object header value', { statusCode: 200, headers: { x: { y: 1 } } }],
    ['non-string cookies', { statusCode: 200, cookies: [1] }],
  ])('calls %s malformed (the gateway answers 500)', (_name, result) => {
    expect(mapV2Result(result)).toBeUndefined();
  });
});

describe('payload 1.0 Lambda result mapping', () => {
  it('requires statusCode and merges multiValueHeaders under lowercased names', () => {
    expect(mapV1Result({ body: 'x' })).toBeUndefined();
    expect(
      mapV1Result({
        statusCode: 200,
        headers: { 'X-One': 'a' },
        multiValueHeaders: { 'X-Two': ['b', 'c'] },
        body: 'ok',
      }),
    ).toEqual({
      statusCode: 200,
      headers: { 'x-one': ['a'], 'x-two': ['b', 'c'], 'content-type': ['application/json'] },
      body: Buffer.from('ok'),
    });
  });
});
