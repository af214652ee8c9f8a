import { matchesEventPattern, parseEventPattern } from '../../eventbridge/event-pattern';
import { jsonPath, targetInput } from '../../eventbridge/target-input';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Order Placed',
  source: 'com.shop.orders',
  account: '123456789012',
  time: '2026-12-07T10:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:s3:::bucket/key.png'],
  detail: {
    amount: 150,
    currency: 'EUR',
    state: 'placed',
    items: [
      { sku: 'A-1', qty: 2 },
      { sku: 'B-2', qty: 1 },
    ],
    sourceIp: '10.0.3.7',
    file: 'reports/2026/summary.csv',
    note: null,
  },
};
const matches = (pattern: unknown) => matchesEventPattern(parseEventPattern(pattern), event);

describe('EventBridge event patterns', () => {
  it.each([
    [
      'exact strings and nested fields',
      { source: ['com.shop.orders'], detail: { currency: ['USD', 'EUR'] } },
      true,
    ],
    ['an exact value that differs', { source: ['com.shop.payments'] }, false],
    ['numbers compared as numbers', { detail: { amount: [150.0] } }, true],
    ['a number against its string', { detail: { amount: ['150'] } }, false],
    ['null', { detail: { note: [null] } }, true],
    ['prefix', { region: [{ prefix: 'eu-' }] }, true],
    [
      'prefix with equals-ignore-case',
      { 'detail-type': [{ prefix: { 'equals-ignore-case': 'ORDER' } }] },
      true,
    ],
    ['suffix', { detail: { file: [{ suffix: '.csv' }] } }, true],
    [
      'suffix with equals-ignore-case',
      { detail: { file: [{ suffix: { 'equals-ignore-case': '.CSV' } }] } },
      true,
    ],
    ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'order placed' }] }, true],
    ['anything-but a value', { detail: { state: [{ 'anything-but': 'cancelled' }] } }, true],
    ['anything-but a listed value', { detail: { state: [{ 'anything-but': ['placed', 'paid'] }] } }, false],
    ['anything-but a prefix', { region: [{ 'anything-but': { prefix: 'us-' } }] }, true],
    ['anything-but a suffix', { detail: { file: [{ 'anything-but': { suffix: '.csv' } }] } }, false],
    [
      'anything-but equals-ignore-case',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['PLACED'] } }] } },
      false,
    ],
    ['anything-but a wildcard', { detail: { file: [{ 'anything-but': { wildcard: '*/2025/*' } }] } }, true],
    ['a numeric range', { detail: { amount: [{ numeric: ['>', 100, '<=', 150] }] } }, true],
    ['a numeric range missed', { detail: { amount: [{ numeric: ['<', 100] }] } }, false],
    ['exists true', { detail: { currency: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { coupon: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { currency: [{ exists: false }] } }, false],
    ['an IPv4 cidr', { detail: { sourceIp: [{ cidr: '10.0.0.0/16' }] } }, true],
    ['an IPv4 cidr missed', { detail: { sourceIp: [{ cidr: '192.168.0.0/24' }] } }, false],
    ['a wildcard', { detail: { file: [{ wildcard: 'reports/*/summary.*' }] } }, true],
    ['a field inside an array of objects', { detail: { items: { sku: ['B-2'] } } }, true],
    ['an array in the event, any element', { resources: [{ suffix: '.png' }] }, true],
    [
      '$or with one branch matching',
      { $or: [{ source: ['nope'] }, { detail: { amount: [{ numeric: ['>=', 100] }] } }] },
      true,
    ],
    ['$or with no branch matching', { $or: [{ source: ['nope'] }, { region: ['us-east-1'] }] }, false],
    ['a missing field', { detail: { coupon: ['X'] } }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matches(pattern)).toBe(expected);
  });

  it('matches an IPv6 address against an IPv6 cidr', () => {
    expect(
      matchesEventPattern(parseEventPattern({ ip: [{ cidr: '2001:db8::/32' }] }), { ip: '2001:db8::1' }),
    ).toBe(true);
  });

  it('takes a pattern as JSON text, as CloudFormation may give it', () => {
    expect(matchesEventPattern(parseEventPattern('{"source":["com.shop.orders"]}'), event)).toBe(true);
  });

  it.each([
    [{ source: 'com.shop.orders' }, /source must be an array/],
    [{ detail: { amount: [{ numeric: ['>>', 1] }] } }, /numeric operator/],
    [{ detail: { ip: [{ cidr: '10.0.0.0/40' }] } }, /cidr/],
    [{ source: [{ regex: '.*' }] }, /unknown operator/],
    [{ $or: [{ source: ['a'] }] }, /at least two/],
  ])('refuses a bad pattern, naming where: %j', (pattern, message) => {
    expect(() => parseEventPattern(pattern)).toThrow(message);
  });
});

describe('what a target receives', () => {
  const rule = { arn: 'arn:aws:events:eu-west-1:123456789012:rule/r', name: 'r' };

  it('is the whole event by default, Input as given, and the value at InputPath', () => {
    expect(JSON.parse(targetInput({}, event, rule))).toEqual(event);
    expect(targetInput({ input: '{"fixed":true}' }, event, rule)).toBe('{"fixed":true}');
    expect(JSON.parse(targetInput({ inputPath: '$.detail.items[1]' }, event, rule))).toEqual({
      sku: 'B-2',
      qty: 1,
    });
  });

  it('fills an input template: values as JSON outside strings, as text inside, with the predefined ones', () => {
    const text = targetInput(
      {
        transformer: {
          pathsMap: { amount: '$.detail.amount', sku: '$.detail.items[0].sku', items: '$.detail.items' },
          template:
            '{"total": <amount>, "label": "first <sku> of <amount>", "items": <items>, "rule": "<aws.events.rule-name>"}',
        },
      },
      event,
      rule,
    );
    expect(JSON.parse(text)).toEqual({
      total: 150,
      label: 'first A-1 of 150',
      items: event.detail.items,
      rule: 'r',
    });
  });

  it('delivers a plain-text template (CDK fromText) as its text, unquoted', () => {
    const text = targetInput(
      { transformer: { pathsMap: { state: '$.detail.state' }, template: '"the order is <state>"' } },
      event,
      rule,
    );
    expect(text).toBe('the order is placed');
  });

  it('reads bracketed JSONPath keys', () => {
    expect(jsonPath(event, "$['detail-type']")).toBe('Order Placed');
  });
});
