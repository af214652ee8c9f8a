import { InvocationLog, logLevelOf } from '../../lambda/function-log-filter';

const text = (level: string, message: string) =>
  `2026-01-01T00:00:00.000Z\t6f1c2e4a-0000-4000-8000-000000000000\t${level}\t${message}`;

describe("a function's log line levels", () => {
  it("reads the level of Lambda's text format", () => {
    expect(logLevelOf(text('INFO', 'hello'))).toBe(30);
    expect(logLevelOf(text('WARN', 'careful'))).toBe(40);
    expect(logLevelOf(text('ERROR', 'broken'))).toBe(50);
  });

  it('reads the level of a JSON entry (Powertools, Lambda JSON format, pino numbers)', () => {
    expect(logLevelOf('{"level":"INFO","message":"tenant onboarded"}')).toBe(30);
    expect(logLevelOf('{"level":"WARN","message":"slow"}')).toBe(40);
    expect(logLevelOf('{"level":"critical","message":"down"}')).toBe(60);
    expect(logLevelOf('{"level":50,"msg":"pino error"}')).toBe(50);
  });

  it('puts an EMF metrics blob below INFO', () => {
    expect(logLevelOf('{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"ColdStart":1}')).toBe(20);
  });

  it('gives no level to a line that continues an entry (a stack frame, the rest of a message)', () => {
    expect(logLevelOf('    at handler (/var/task/index.js:3:9)')).toBeUndefined();
    expect(logLevelOf('{ not json')).toBeUndefined();
  });
});

describe('the output of one invocation', () => {
  const collect = (mode: 'all' | 'warnings', hold = true) => {
    const shown: string[] = [];
    return { shown, log: new InvocationLog(mode, (line) => shown.push(line), hold) };
  };

  it('shows warnings and errors with their continuation lines, and holds back the rest of a success', () => {
    const { shown, log } = collect('warnings');
    log.platform('START RequestId: 1 Version: $LATEST');
    log.line(text('INFO', 'info-marker'));
    log.line(text('ERROR', 'error-marker'));
    log.line('    at handler (index.js:1:1)');
    log.line(text('INFO', 'after'));
    log.platform('END RequestId: 1');
    log.end(false);
    expect(shown).toEqual([text('ERROR', 'error-marker'), '    at handler (index.js:1:1)']);
  });

  it('prints what it held back when the invocation failed', () => {
    const { shown, log } = collect('warnings');
    log.platform('START RequestId: 2 Version: $LATEST');
    log.line(text('INFO', 'info-marker'));
    log.platform('END RequestId: 2');
    log.end(true);
    expect(shown).toEqual([
      'START RequestId: 2 Version: $LATEST',
      text('INFO', 'info-marker'),
      'END RequestId: 2',
    ]);
  });

  it('shows everything as it comes in `all` mode', () => {
    const { shown, log } = collect('all');
    log.platform('START RequestId: 3 Version: $LATEST');
    log.line(text('INFO', 'info-marker'));
    expect(shown).toHaveLength(2);
  });

  it('drops, rather than keeps, what it hides between invocations', () => {
    const { shown, log } = collect('warnings', false);
    log.line(text('INFO', 'late'));
    log.end(true);
    expect(shown).toEqual([]);
  });
});
