import { onFirstInvocation } from '../../shared/lambda-entry';

describe('a Lambda entry point built on first invocation', () => {
  it('builds the handler once and reuses it for every later invocation', async () => {
    const create = jest.fn(() => async (n: number) => n * 2);
    const handler = onFirstInvocation(create);
    expect(create).not.toHaveBeenCalled();
    expect(await handler(1)).toBe(2);
    expect(await handler(2)).toBe(4);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('fails every invocation while its config is invalid, instead of caching a broken handler', () => {
    const create = jest.fn((): ((n: number) => number) => {
      throw new Error('invalid configuration: TABLE_NAME: required');
    });
    const handler = onFirstInvocation(create);
    expect(() => handler(1)).toThrow('invalid configuration');
    expect(() => handler(1)).toThrow('invalid configuration');
    expect(create).toHaveBeenCalledTimes(2);
  });
});

describe('the services’ handler modules', () => {
  it.each(['authorizer', 'orders', 'catalog', 'tenants'])(
    'services/%s/handler.ts reads no config at import, and its entry point names every missing variable',
    async (service) => {
      const module = (await import(`../../services/${service}/handler`)) as {
        handler: (event: unknown, context: unknown) => unknown;
      };
      expect(() => module.handler({}, {})).toThrow(/invalid configuration: TABLE_NAME/);
    },
  );
});
