import {
  type ApiResourceNode,
  parseRestMethod,
  type RestMethodDefinition,
} from '../../rest-api/rest-api-definition';
import { matchRoute } from '../../rest-api/route-matcher';

const method = (name: string): RestMethodDefinition =>
  parseRestMethod({
    stackName: 'S',
    logicalId: name,
    type: 'AWS::ApiGateway::Method',
    physicalId: name,
    properties: {},
    attributes: {},
  });

function node(path: string, methods: string[], children: ApiResourceNode[] = []): ApiResourceNode {
  const pathPart = path === '/' ? '' : (path.split('/').at(-1) ?? '');
  return {
    id: path,
    path,
    pathPart,
    children,
    methods: new Map(methods.map((m) => [m, method(`${m} ${path}`)])),
  };
}

const root = node(
  '/',
  ['GET'],
  [
    node(
      '/orders',
      ['GET', 'POST'],
      [node('/orders/{orderId}', ['GET', 'DELETE']), node('/orders/export', ['GET'])],
    ),
    node('/files', [], [node('/files/{key+}', ['ANY'])]),
    node('/{proxy+}', ['ANY']),
  ],
);

describe('REST API route matching', () => {
  it('matches the root resource for an empty path', () => {
    expect(matchRoute(root, 'GET', '/')?.resource.path).toBe('/');
  });

  it('extracts and URL-decodes path parameters', () => {
    const match = matchRoute(root, 'GET', '/orders/a%20b');
    expect(match?.resource.path).toBe('/orders/{orderId}');
    expect(match?.pathParameters).toEqual({ orderId: 'a b' });
    expect(match?.method.logicalId).toBe('GET /orders/{orderId}');
  });

  it('prefers a literal segment over a path parameter', () => {
    expect(matchRoute(root, 'GET', '/orders/export')?.resource.path).toBe('/orders/export');
  });

  it('gives a greedy parameter the rest of the path and answers any method through ANY', () => {
    const match = matchRoute(root, 'PATCH', '/files/a/b/c.txt');
    expect(match?.resource.path).toBe('/files/{key+}');
    expect(match?.pathParameters).toEqual({ key: 'a/b/c.txt' });
    expect(match?.method.logicalId).toBe('ANY /files/{key+}');
  });

  it('falls back to a less specific resource that has the method', () => {
    const match = matchRoute(root, 'PUT', '/orders/1');
    expect(match?.resource.path).toBe('/{proxy+}');
    expect(match?.pathParameters).toEqual({ proxy: 'orders/1' });
  });

  it('returns nothing when no resource has the method', () => {
    const tree = node('/', [], [node('/orders', ['GET'])]);
    expect(matchRoute(tree, 'POST', '/orders')).toBeUndefined();
    expect(matchRoute(tree, 'GET', '/unknown')).toBeUndefined();
  });

  it('ignores a trailing slash', () => {
    expect(matchRoute(root, 'POST', '/orders/')?.resource.path).toBe('/orders');
  });
});
