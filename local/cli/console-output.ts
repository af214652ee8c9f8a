import { styleText } from 'node:util';
import type { LogSink } from '../log-sink';
import type { LocalCloudModel } from '../model';
import type { RequestRecord } from '../request-records';

type Style = Parameters<typeof styleText>[0];

/**
 * What the command line prints, styled with `node:util`'s `styleText`: colours only when the stream is a terminal
 * that wants them (its `validateStream` honours NO_COLOR, NODE_DISABLE_COLORS and FORCE_COLOR), plain text in a file
 * or a pipe.
 */
export class ConsoleOutput {
  constructor(private readonly stream: NodeJS.WriteStream) {}

  /** `text` in `style`, or as it is when the stream takes no colour. */
  style(style: Style, text: string): string {
    return styleText(style, text, { stream: this.stream });
  }

  line(text = ''): void {
    this.stream.write(`${text}\n`);
  }

  /** A step of the start (`› synthesizing…`). */
  step(text: string): void {
    this.line(`${this.style('cyan', '›')} ${text}`);
  }

  warn(text: string): void {
    this.line(`${this.style('yellow', '!')} ${text}`);
  }

  error(text: string): void {
    this.line(`${this.style('red', '✗')} ${text}`);
  }

  /**
   * The sink the cloud's services and functions print to: a function's `[name]` prefix is shortened to its logical
   * id and dimmed, a service's `[service]` prefix dimmed, so the message stands out.
   */
  sink(names: FunctionNames): LogSink {
    return {
      write: (text: string) => {
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const prefix = /^\[([^\]]+)\] /.exec(line);
          if (prefix?.[1] === undefined) this.line(line);
          else
            this.line(
              `${this.style('dim', `[${names.short(prefix[1])}]`)} ${colourByLevel(this, line.slice(prefix[0].length))}`,
            );
        }
        return true;
      },
    };
  }

  /** One request: time, API, method, path, status, duration, functions, authorizer and stage-cache outcomes. */
  request(record: RequestRecord, names: FunctionNames): void {
    this.line(formatRequest(record, names, this));
  }
}

/** Colours a function's line by its level word, when it has one (Lambda's text format or a JSON `level`). */
function colourByLevel(output: ConsoleOutput, text: string): string {
  if (/\t(ERROR|FATAL)\t|"level":\s*"(ERROR|CRITICAL|FATAL)"/i.test(text)) return output.style('red', text);
  if (/\tWARN\t|"level":\s*"WARN(ING)?"/i.test(text)) return output.style('yellow', text);
  return text;
}

/** Most paths fit, so statuses line up; a longer one pushes its own line's tail. */
const PATH_WIDTH = 24;

function statusStyle(status: number): Style {
  if (status >= 500) return 'red';
  if (status >= 400) return 'yellow';
  if (status >= 300) return 'cyan';
  return 'green';
}

/**
 * `12:04:05 GET    /prod/orders/42  200   35 ms  OrdersApi → OrdersHandler  auth hit  cache miss`: fixed widths for
 * what every line has, so a column can be scanned; the optional parts only when they apply.
 */
export function formatRequest(
  record: RequestRecord,
  names: FunctionNames,
  output?: Pick<ConsoleOutput, 'style'>,
): string {
  const style = (s: Style, text: string) => (output ? output.style(s, text) : text);
  const time = new Date().toTimeString().slice(0, 8);
  const ms = `${Math.round(record.durationMs)} ms`.padStart(7);
  const functions = record.functions.map((name) => names.short(name)).join(', ');
  const parts = [
    style('dim', time),
    style('bold', record.method.padEnd(6)),
    record.path.padEnd(PATH_WIDTH),
    style(statusStyle(record.status), String(record.status)),
    style('dim', ms),
    `${record.api}${functions ? ` → ${functions}` : ''}`,
    ...(record.authorizer ? [`auth ${record.authorizer.cache}`] : []),
    ...(record.stageCache ? [`cache ${record.stageCache}`] : []),
    ...(record.calls.length > 0 ? [callSummary(record.calls)] : []),
  ];
  return parts.join('  ');
}

/** `dynamodb 2 · sqs 1`: how many calls the request made to each service. */
function callSummary(calls: RequestRecord['calls']): string {
  const counts = new Map<string, number>();
  for (const { service } of calls) counts.set(service, (counts.get(service) ?? 0) + 1);
  return [...counts].map(([service, n]) => `${service} ${n}`).join(' · ');
}

/**
 * Function names as a person knows them: a generated `<stack>-<logicalId>` name (CDK's `<id><8-hex hash>`) is
 * shown as the construct id; a name the app chose is kept.
 */
export class FunctionNames {
  private readonly names = new Map<string, string>();

  constructor(model?: LocalCloudModel) {
    for (const resource of model?.resources ?? []) {
      if (resource.type !== 'AWS::Lambda::Function') continue;
      if (resource.properties.FunctionName !== undefined) continue;
      this.names.set(resource.physicalId, resource.logicalId.replace(/(?<=.)[0-9A-F]{8}$/, ''));
    }
  }

  short(name: string): string {
    return this.names.get(name) ?? name;
  }
}
