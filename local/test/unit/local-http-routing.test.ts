import { parseRouteKey, selectRoute } from '../../http-api/route-selection';

const routes = (...keys: string[]) => keys.map((text) => ({ key: parseRouteKey(text) }));

function selected(keys: string[], method: string, path: string) {
  const selection = selectRoute(routes(...keys), method, path);
  return selection === undefined
    ? undefined
    : { routeKey: selection.route.key.text, pathParameters: selection.pathParameters };
}

describe('HTTP API route selection', () => {
  const table = ['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', '$default'];

  it('prefers an exact path, then path variables, then a greedy variable (AWS docs example)', () => {
    expect(selected(table, 'GET', '/pets/dog/1')?.routeKey).toBe('GET /pets/dog/1');
    expect(selected(table, 'GET', '/pets/dog/2')).toEqual({
      routeKey: 'GET /pets/dog/{id}',
      pathParameters: { id: '2' },
    });
    expect(selected(table, 'GET', '/pets/cat/1')).toEqual({
      routeKey: 'GET /pets/{proxy+}',
      pathParameters: { proxy: 'cat/1' },
    });
  });

  it('falls back to ANY for other methods, and to $default when no path matches', () => {
    expect(selected(table, 'POST', '/pets/dog/1')?.routeKey).toBe('ANY /{proxy+}');
    expect(selected(table, 'GET', '/')?.routeKey).toBe('$default');
  });

  it('prefers the request method over ANY on the same path', () => {
    expect(selected(['ANY /items', 'POST /items'], 'POST', '/items')?.routeKey).toBe('POST /items');
    expect(selected(['ANY /items', 'POST /items'], 'GET', '/items')?.routeKey).toBe('ANY /items');
  });

  it('compares segments from the left: a literal earlier in the path wins', () => {
    expect(selected(['GET /{a}/b/c', 'GET /a/{b}/c'], 'GET', '/a/b/c')?.routeKey).toBe('GET /a/{b}/c');
  });

  it('matches a greedy variable to one or more segments, never to none', () => {
    expect(selected(['ANY /{proxy+}'], 'GET', '/')).toBeUndefined();
    expect(selected(['ANY /files/{path+}'], 'GET', '/files')).toBeUndefined();
    expect(selected(['ANY /files/{path+}'], 'GET', '/files/a/b.txt')?.pathParameters).toEqual({
      path: 'a/b.txt',
    });
  });

  it('decodes path variables and leaves no route for an unmatched path without $default', () => {
    expect(selected(['GET /items/{id}'], 'GET', '/items/a%20b')?.pathParameters).toEqual({ id: 'a b' });
    expect(selected(['GET /items/{id}'], 'GET', '/orders/1')).toBeUndefined();
    expect(selected(['GET /items/{id}'], 'GET', '/items/1/extra')).toBeUndefined();
  });

  it('treats methods case-insensitively and rejects a malformed route key', () => {
    expect(selected(['get /items'], 'GET', '/items')?.routeKey).toBe('get /items');
    expect(() => parseRouteKey('items')).toThrow(/METHOD \/path/);
  });
});
