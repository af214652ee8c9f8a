import { batchOutcome } from '../../event-sources/batch-item-failures';
import { EventFilter } from '../../event-sources/filter-criteria';

const filter = (...patterns: unknown[]) =>
  EventFilter.fromCriteria({ Filters: patterns.map((p) => ({ Pattern: JSON.stringify(p) })) });

describe('event filtering on an event-source mapping', () => {
  const record = {
    eventName: 'MODIFY',
    dynamodb: {
      Keys: { PK: { S: 'TENANT#t1#ORDER#o1' } },
      NewImage: { type: { S: 'order' }, total: { N: '1200' }, tags: { L: [{ S: 'a' }] } },
    },
  };

  it('matches everything without criteria', () => {
    expect(EventFilter.fromCriteria(undefined).matches(record)).toBe(true);
    expect(EventFilter.fromCriteria({ Filters: [] }).matches({})).toBe(true);
  });

  it('matches nested equality and an OR list of alternatives, case-sensitively', () => {
    expect(filter({ dynamodb: { NewImage: { type: { S: ['order', 'job'] } } } }).matches(record)).toBe(true);
    expect(filter({ dynamodb: { NewImage: { type: { S: ['Order'] } } } }).matches(record)).toBe(false);
  });

  it('passes a record when any one of several filters matches', () => {
    expect(filter({ eventName: ['INSERT'] }, { eventName: ['MODIFY'] }).matches(record)).toBe(true);
    expect(filter({ eventName: ['INSERT'] }, { eventName: ['REMOVE'] }).matches(record)).toBe(false);
  });

  it('supports prefix, suffix, anything-but, equals-ignore-case and exists', () => {
    const keys = (rule: unknown) => filter({ dynamodb: { Keys: { PK: { S: [rule] } } } }).matches(record);
    expect(keys({ prefix: 'TENANT#' })).toBe(true);
    expect(keys({ prefix: 'CATALOG#' })).toBe(false);
    expect(keys({ suffix: '#o1' })).toBe(true);
    expect(keys({ 'anything-but': ['x'] })).toBe(true);
    expect(keys({ 'anything-but': { prefix: 'TENANT#' } })).toBe(false);
    expect(keys({ 'equals-ignore-case': 'tenant#t1#order#o1' })).toBe(true);
    expect(filter({ dynamodb: { OldImage: [{ exists: false }] } }).matches(record)).toBe(true);
    expect(filter({ dynamodb: { NewImage: [{ exists: true }] } }).matches(record)).toBe(true);
    expect(filter({ dynamodb: { OldImage: [{ exists: true }] } }).matches(record)).toBe(false);
  });

  it('compares numbers with numeric ranges and never a numeric string', () => {
    expect(filter({ body: { n: [{ numeric: ['>', 1, '<=', 5] }] } }).matches({ body: { n: 5 } })).toBe(true);
    expect(filter({ body: { n: [{ numeric: ['>', 5] }] } }).matches({ body: { n: 5 } })).toBe(false);
    expect(filter({ body: { n: [{ numeric: ['=', 5] }] } }).matches({ body: { n: '5' } })).toBe(false);
  });

  it('matches null and the empty string only by those exact values', () => {
    expect(filter({ body: { a: [null] } }).matches({ body: { a: null } })).toBe(true);
    expect(filter({ body: { a: [null] } }).matches({ body: {} })).toBe(false);
    expect(filter({ body: { a: [''] } }).matches({ body: { a: '' } })).toBe(true);
  });

  it('refuses a pattern that is not a JSON object, naming the filter', () => {
    expect(() => EventFilter.fromCriteria({ Filters: [{ Pattern: '[1]' }] })).toThrow(/Filters\[0\]/);
  });
});

describe('ReportBatchItemFailures responses', () => {
  const ids = ['m1', 'm2', 'm3'];

  it('reads a null response, an empty object or an empty/null list as success', () => {
    for (const result of [null, undefined, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      expect(batchOutcome(result, ids, true)).toEqual({ kind: 'success' });
    }
  });

  it('fails only the records it names', () => {
    const outcome = batchOutcome({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, ids, true);
    expect(outcome.kind).toBe('partial');
    expect(outcome.kind === 'partial' && [...outcome.failed]).toEqual(['m2']);
  });

  it('fails the whole batch for an unknown, empty or missing identifier, or a malformed response', () => {
    for (const result of [
      { batchItemFailures: [{ itemIdentifier: 'nope' }] },
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifer: 'm1' }] },
      { batchItemFailures: 'm1' },
      'not an object',
    ]) {
      expect(batchOutcome(result, ids, true).kind).toBe('failure');
    }
  });

  it('ignores the response when the mapping does not report item failures', () => {
    expect(batchOutcome({ batchItemFailures: [{ itemIdentifier: 'm1' }] }, ids, false)).toEqual({
      kind: 'success',
    });
  });
});
