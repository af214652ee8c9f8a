import { evaluateJsonPath } from '../../vtl/json-path';
import { renderVtl } from '../../vtl/render-vtl';
import { createVtlInput } from '../../vtl/vtl-input';
import { createVtlUtil, escapeJavaScript, urlDecode, urlEncode } from '../../vtl/vtl-util';

const render = (template: string, body = '', context: Record<string, unknown> = {}): string =>
  renderVtl(template, {
    input: createVtlInput(body, {
      path: { id: '7' },
      querystring: { q: 'x y' },
      header: { 'Content-Type': 'application/json' },
    }),
    context,
    stageVariables: { env: 'dev' },
  });

describe('$util', () => {
  it('escapeJavaScript escapes quotes (single too), backslash, slash, control and non-ASCII characters like AWS', () => {
    expect(escapeJavaScript(`a"b'c\\d/e\nf\tg`)).toBe(`a\\"b\\'c\\\\d\\/e\\nf\\tg`);
    expect(escapeJavaScript('é\u0001')).toBe('\\u00E9\\u0001');
    expect(escapeJavaScript('😀')).toBe('\\uD83D\\uDE00');
  });

  it('urlEncode and urlDecode follow Java URLEncoder (space as +)', () => {
    expect(urlEncode("a b&c=d/é!'()~*")).toBe('a+b%26c%3Dd%2F%C3%A9%21%27%28%29%7E*');
    expect(urlDecode('a+b%26c')).toBe('a b&c');
  });

  it('base64Encode/Decode, parseJson and toJson round-trip', () => {
    const util = createVtlUtil();
    expect(util.base64Encode('hello')).toBe('aGVsbG8=');
    expect(util.base64Decode('aGVsbG8=')).toBe('hello');
    expect(util.parseJson('{"a":[1]}')).toEqual({ a: [1] });
    expect(util.toJson({ a: 'b' })).toBe('{"a":"b"}');
  });

  it('is reachable from templates', () => {
    expect(
      render(`"$util.escapeJavaScript($input.path('$.name'))"`, JSON.stringify({ name: 'O"Neil' })),
    ).toBe('"O\\"Neil"');
    expect(render('#set($o = $util.parseJson($input.body))$o.items.size()', '{"items":[1,2,3]}')).toBe('3');
  });
});

describe('$input', () => {
  it('json() returns JSON text and path() the value at a JSONPath', () => {
    const body = JSON.stringify({ order: { lines: [{ sku: 'a' }, { sku: 'b' }] } });
    expect(render(`$input.json('$.order.lines[0]')`, body)).toBe('{"sku":"a"}');
    expect(render(`$input.path('$.order.lines[-1].sku')`, body)).toBe('b');
    expect(render(`$input.json('$')`, '')).toBe('{}');
  });

  it('params(name) searches path, query string, then headers (case-insensitively) and is empty when absent', () => {
    expect(
      render(`$input.params('id')|$input.params('q')|$input.params('content-type')|$input.params('nope')|`),
    ).toBe('7|x y|application/json||');
  });

  it('params() exposes the three maps, with case-insensitive header lookups', () => {
    expect(
      render(
        `$input.params().path.id $input.params().header.get('CONTENT-TYPE') $input.params().querystring.keySet()`,
      ),
    ).toBe('7 application/json [q]');
  });
});

describe('Velocity as API Gateway runs it', () => {
  it('renders missing references as empty strings', () => {
    expect(render('[$nothing][$context.nothing.deeper]')).toBe('[][]');
  });

  it('offers the java.lang.String methods templates use', () => {
    expect(
      render(
        `#set($s = 'Hello')$s.length() $s.contains('ell') $s.toUpperCase() $s.replace('l', 'L') $s.matches('H.*')`,
      ),
    ).toBe('5 true HELLO HeLLo true');
  });

  it('lets templates set $context.responseOverride and reads $context and $stageVariables', () => {
    const context: Record<string, unknown> = {
      requestId: 'r-1',
      responseOverride: { status: null, header: {} },
    };
    expect(
      render(
        '#set($context.responseOverride.status = 418)$context.requestId $stageVariables.env',
        '',
        context,
      ),
    ).toBe('r-1 dev');
    expect(context.responseOverride).toEqual({ status: 418, header: {} });
  });

  it('iterates maps and lists with $foreach.hasNext', () => {
    expect(
      render('#foreach($k in $input.path("$").keySet())$k#if($foreach.hasNext),#end#end', '{"a":1,"b":2}'),
    ).toBe('a,b');
  });
});

describe('JSONPath subset', () => {
  const doc = { a: { b: [{ c: 1 }, { c: 2 }] }, 'x-y': true };
  it('supports dot, bracket, index, wildcard and deep scan', () => {
    expect(evaluateJsonPath(doc, '$.a.b[1].c')).toBe(2);
    expect(evaluateJsonPath(doc, "$['x-y']")).toBe(true);
    expect(evaluateJsonPath(doc, '$.a.b[*].c')).toEqual([1, 2]);
    expect(evaluateJsonPath(doc, '$..c')).toEqual([1, 2]);
    expect(evaluateJsonPath(doc, '$.missing')).toBeUndefined();
  });
});
