import * as logs from 'aws-cdk-lib/aws-logs';
import { MAX_RETRY_DELAY_SECONDS } from '../services/job-worker/environment';

/** How CodeDeploy shifts traffic to a new version of each function's `live` alias. */
export type FunctionDeployment = 'ALL_AT_ONCE' | 'CANARY_10PERCENT_5MINUTES';

/** Custom domains for the three APIs: `api.<domainName>/v1`, `public.<domainName>`, `ws.<domainName>`. */
export interface DomainConfig {
  /** The apex the three API hosts live under, e.g. `example.com`. */
  readonly domainName: string;
  /**
   * A regional ACM certificate (same region as the stack) covering `*.<domainName>`. Without it, a
   * DNS-validated certificate is requested in `hostedZoneId`.
   */
  readonly certificateArn?: string;
  /** Route 53 public hosted zone of `domainName`: alias records (and certificate validation) go there. */
  readonly hostedZoneId?: string;
  /** Turn off the default `execute-api` endpoints, so the custom domains are the only way in. */
  readonly disableDefaultEndpoints: boolean;
}

/** The REST stage's own canary: a share of the stage's traffic goes to a canary deployment. */
export interface RestStageCanaryConfig {
  /** Percent of requests the canary deployment receives, 0–100. */
  readonly percentTraffic: number;
  /** Stage variables the canary overrides (names and values as API Gateway stage variables). */
  readonly stageVariableOverrides: Readonly<Record<string, string>>;
}

/** Per-stage settings, chosen with `-c stage=<name>` (default `sandbox`), each overridable by context. */
export interface StageConfig {
  readonly stage: string;
  /** A sandbox (workshops, trying things out): cheap, disposable, the only kind of stage where a CORS origin may be `*`. */
  readonly sandbox: boolean;
  /** Origins allowed by CORS. Never `*` outside a sandbox. */
  readonly allowedOrigins: readonly string[];
  /** Whether Cognito requires MFA (prod) or only offers it (sandboxes, workshops). */
  readonly mfaRequired: boolean;
  /**
   * Stateful resources are retained and deletion-protected (prod), or destroyed with the stack (sandbox:
   * `npm run destroy` leaves nothing billable behind).
   */
  readonly retainData: boolean;
  /** Retention of every log group (functions, access logs, canaries). */
  readonly logRetention: logs.RetentionDays;
  /** API Gateway execution logging: INFO in a sandbox (to see what happens), ERROR in prod (cost, noise). */
  readonly executionLogLevel: 'INFO' | 'ERROR';
  /** Where alarms are e-mailed (an SNS e-mail subscription, confirmed by the recipient); none: topic only. */
  readonly alarmEmail?: string;
  /** Custom domains, only when configured. */
  readonly domain?: DomainConfig;
  /** Traffic shifting of each function's `live` alias on deploy, rolled back by that function's alarms. */
  readonly functionDeployment: FunctionDeployment;
  /** The REST stage canary; none: every request goes to the stage's deployment. */
  readonly restStageCanary?: RestStageCanaryConfig;
  /** A CloudWatch Synthetics canary calling the APIs every 5 minutes (billed per run). */
  readonly syntheticsCanary: boolean;
  /** AWS WAF web ACL on the REST stage (billed monthly per ACL and rule, plus per request). */
  readonly waf: boolean;
  /** The REST stage cache cluster (billed hourly whether or not a method caches). */
  readonly stageCache: boolean;
  /**
   * The web console (console/) on S3 + CloudFront, its origin added to the APIs' CORS and the SPA client's callback
   * URLs (billed per request and GB served: cents a month for a sandbox).
   */
  readonly console: boolean;
  /**
   * The origin the stage's console is served from, when it is not the console this stack hosts: the one origin the
   * REST API's gateway responses (401, 403, 429, 5xx) name, so that console can read them. `npm start` and the
   * browser tests set `http://localhost:5173` (the local cloud has no CloudFront). Default: the hosted console's
   * origin, else the first allowed origin. Added to the allowed origins when missing.
   */
  readonly consoleOrigin?: string;
  /**
   * The longest a failed job waits before its next delivery (the worker's backoff doubles from 1 s up to this):
   * the tests' stack sets 1 so a poison job dead-letters in seconds; a deployment keeps the default.
   */
  readonly jobRetryMaxDelaySeconds: number;
}

/** The profiles a stage is built on (`-c profile=…`), before context overrides. */
const PROFILES: Record<string, StageConfig> = {
  sandbox: {
    stage: 'sandbox',
    sandbox: true,
    allowedOrigins: ['http://localhost:5173', 'http://localhost:3000'],
    mfaRequired: false,
    retainData: false,
    logRetention: logs.RetentionDays.ONE_WEEK,
    executionLogLevel: 'INFO',
    functionDeployment: 'ALL_AT_ONCE',
    syntheticsCanary: false,
    waf: false,
    // On by default so a sandbox shows the cached catalog prod has; `-c stageCache=false` saves its hourly cost.
    stageCache: true,
    // On so `cdk deploy` ends with a page to sign in to; `-c console=false` leaves it out.
    console: true,
    jobRetryMaxDelaySeconds: MAX_RETRY_DELAY_SECONDS,
  },
  prod: {
    stage: 'prod',
    sandbox: false,
    allowedOrigins: ['https://app.example.com'],
    mfaRequired: true,
    retainData: true,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    executionLogLevel: 'ERROR',
    functionDeployment: 'CANARY_10PERCENT_5MINUTES',
    syntheticsCanary: true,
    waf: true,
    stageCache: true,
    // A production console usually has its own domain and release cycle: `-c console=true` publishes this one.
    console: false,
    jobRetryMaxDelaySeconds: MAX_RETRY_DELAY_SECONDS,
  },
};

/**
 * Context keys that override a stage's defaults (`cdk synth -c stage=prod -c domainName=example.com …`). Values
 * arrive as strings from the CLI, or as JSON values from cdk.json.
 */
export const CONTEXT_KEYS = [
  'profile',
  'allowedOrigins',
  'alarmEmail',
  'domainName',
  'certificateArn',
  'hostedZoneId',
  'disableDefaultEndpoints',
  'logRetentionDays',
  'functionDeployment',
  'restCanaryPercent',
  'restCanaryStageVariables',
  'syntheticsCanary',
  'waf',
  'stageCache',
  'console',
  'consoleOrigin',
  'jobRetryMaxDelaySeconds',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];
export type StageOverrides = Partial<Record<ContextKey, unknown>>;

const RETENTION_DAYS = new Set(
  Object.values(logs.RetentionDays).filter((days): days is number => typeof days === 'number'),
);

/** A bad value, named by its context key, with the fix. */
class ConfigError extends Error {
  constructor(key: string, value: unknown, fix: string) {
    super(`config ${key}=${JSON.stringify(value)} is not valid: ${fix}`);
    this.name = 'ConfigError';
  }
}

function flag(key: ContextKey, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError(key, value, `use true or false, e.g. -c ${key}=true`);
}

function text(key: ContextKey, value: unknown, pattern: RegExp, example: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigError(key, value, `use a value like -c ${key}=${example}`);
  }
  return value;
}

function origins(stage: StageConfig, value: unknown): readonly string[] {
  const list = Array.isArray(value)
    ? value
    : String(value)
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
  if (list.length === 0) {
    throw new ConfigError(
      'allowedOrigins',
      value,
      'list at least one origin, e.g. -c allowedOrigins=https://app.example.com',
    );
  }
  for (const origin of list) {
    if (origin === '*' && !stage.sandbox) {
      throw new Error(
        `allowed origin '*' is not allowed in ${stage.stage} (only in a sandbox stage): list your app's origins, e.g. -c allowedOrigins=https://app.example.com`,
      );
    }
    if (origin !== '*' && (typeof origin !== 'string' || !/^https?:\/\/[^/\s,]+$/.test(origin))) {
      throw new Error(
        `allowed origin '${origin}' is not an origin: use scheme://host[:port] with no path, e.g. https://app.example.com`,
      );
    }
  }
  return list;
}

function stageVariables(value: unknown): Record<string, string> {
  // `name=value,name=value`, or an object from cdk.json.
  const entries =
    typeof value === 'object' && value !== null
      ? Object.entries(value)
      : String(value)
          .split(',')
          .filter(Boolean)
          .map((pair) => pair.split('='));
  const variables: Record<string, string> = {};
  for (const [name, variable, ...rest] of entries as unknown[][]) {
    if (
      typeof name !== 'string' ||
      !/^[A-Za-z0-9_]+$/.test(name) ||
      typeof variable !== 'string' ||
      !/^[A-Za-z0-9\-._~:/?#&=,]+$/.test(variable) ||
      rest.length > 0
    ) {
      throw new ConfigError(
        'restCanaryStageVariables',
        value,
        'use name=value pairs, comma-separated, e.g. -c restCanaryStageVariables=release=canary',
      );
    }
    variables[name] = variable;
  }
  return variables;
}

/**
 * A stage's name: it names the stacks, the REST and WebSocket stages, plans, dashboards and the Cognito domain, so two
 * stages (two attendees of a workshop, say) share one account without a clash.
 */
const STAGE_NAME = /^[a-z][a-z0-9-]{1,19}$/;

/**
 * Resolves a stage's config: any stage name, built on the `sandbox` profile (`prod` on the `prod` one) unless
 * `-c profile=…` says otherwise, then each context override, validated. A bad or missing
 * value fails synth with a message naming the key and the fix.
 */
export function stageConfig(stage: string, overrides: StageOverrides = {}): StageConfig {
  if (!STAGE_NAME.test(stage) || stage === 'local') {
    throw new ConfigError(
      'stage',
      stage,
      "use 2 to 20 lowercase letters, digits or hyphens starting with a letter (e.g. -c stage=alice); 'local' names the local cloud in the CLIs",
    );
  }
  const profileName = overrides.profile ?? (stage === 'prod' ? 'prod' : 'sandbox');
  const profile = typeof profileName === 'string' ? PROFILES[profileName] : undefined;
  if (!profile) {
    throw new ConfigError('profile', profileName, `use one of ${Object.keys(PROFILES).join(', ')}`);
  }
  const base: StageConfig = { ...profile, stage };
  const unknown = Object.keys(overrides).filter((key) => !(CONTEXT_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new Error(`unknown config key(s) ${unknown.join(', ')}: use one of ${CONTEXT_KEYS.join(', ')}`);
  }
  const given = (key: ContextKey): unknown =>
    overrides[key] === undefined || overrides[key] === '' ? undefined : overrides[key];

  let config: StageConfig = { ...base };
  const set = <K extends keyof StageConfig>(key: K, value: StageConfig[K]) => {
    config = { ...config, [key]: value };
  };

  if (given('allowedOrigins') !== undefined) set('allowedOrigins', origins(base, given('allowedOrigins')));
  if (given('alarmEmail') !== undefined) {
    set(
      'alarmEmail',
      text('alarmEmail', given('alarmEmail'), /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'ops@example.com'),
    );
  }
  if (given('logRetentionDays') !== undefined) {
    const days = Number(given('logRetentionDays'));
    if (!RETENTION_DAYS.has(days)) {
      throw new ConfigError(
        'logRetentionDays',
        given('logRetentionDays'),
        `use one of CloudWatch Logs' retention periods (${[...RETENTION_DAYS].sort((a, b) => a - b).join(', ')} days)`,
      );
    }
    set('logRetention', days as logs.RetentionDays);
  }
  if (given('functionDeployment') !== undefined) {
    const value = given('functionDeployment');
    if (value !== 'ALL_AT_ONCE' && value !== 'CANARY_10PERCENT_5MINUTES') {
      throw new ConfigError('functionDeployment', value, 'use ALL_AT_ONCE or CANARY_10PERCENT_5MINUTES');
    }
    set('functionDeployment', value);
  }
  for (const key of ['syntheticsCanary', 'waf', 'stageCache', 'console'] as const) {
    if (given(key) !== undefined) set(key, flag(key, given(key)));
  }
  if (given('consoleOrigin') !== undefined) {
    const origin = text(
      'consoleOrigin',
      given('consoleOrigin'),
      /^https?:\/\/[^/\s,*]+$/,
      'http://localhost:5173',
    );
    set('consoleOrigin', origin);
    if (!config.allowedOrigins.includes(origin)) set('allowedOrigins', [...config.allowedOrigins, origin]);
  }
  if (given('jobRetryMaxDelaySeconds') !== undefined) {
    const seconds = Number(given('jobRetryMaxDelaySeconds'));
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_RETRY_DELAY_SECONDS) {
      throw new ConfigError(
        'jobRetryMaxDelaySeconds',
        given('jobRetryMaxDelaySeconds'),
        `use whole seconds from 1 to ${MAX_RETRY_DELAY_SECONDS}, e.g. -c jobRetryMaxDelaySeconds=1`,
      );
    }
    set('jobRetryMaxDelaySeconds', seconds);
  }
  if (!config.waf && !base.sandbox) {
    throw new ConfigError(
      'waf',
      given('waf'),
      `${stage} always has WAF: only a sandbox stage may switch it off`,
    );
  }

  if (given('restCanaryPercent') !== undefined) {
    const percent = Number(given('restCanaryPercent'));
    if (!Number.isFinite(percent) || percent <= 0 || percent > 100) {
      throw new ConfigError(
        'restCanaryPercent',
        given('restCanaryPercent'),
        'use a percentage above 0 and at most 100, e.g. -c restCanaryPercent=10',
      );
    }
    const variables = given('restCanaryStageVariables');
    set('restStageCanary', {
      percentTraffic: percent,
      stageVariableOverrides: variables === undefined ? {} : stageVariables(variables),
    });
  } else if (given('restCanaryStageVariables') !== undefined) {
    throw new ConfigError(
      'restCanaryStageVariables',
      given('restCanaryStageVariables'),
      'stage-variable overrides only apply to a canary: set -c restCanaryPercent=10 too',
    );
  }

  const domainName = given('domainName');
  const domainOnly = (['certificateArn', 'hostedZoneId', 'disableDefaultEndpoints'] as const).filter(
    (key) => given(key) !== undefined,
  );
  if (domainName === undefined) {
    if (domainOnly.length > 0) {
      throw new ConfigError(
        domainOnly[0] as ContextKey,
        given(domainOnly[0] as ContextKey),
        'it only applies with a custom domain: set -c domainName=example.com too',
      );
    }
  } else {
    const certificateArn = given('certificateArn');
    const hostedZoneId = given('hostedZoneId');
    if (certificateArn === undefined && hostedZoneId === undefined) {
      throw new ConfigError(
        'domainName',
        domainName,
        'a custom domain needs a certificate: give -c certificateArn=arn:aws:acm:… (covering *.<domain>) or -c hostedZoneId=Z… (a DNS-validated one is requested there)',
      );
    }
    set('domain', {
      domainName: text(
        'domainName',
        domainName,
        /^(?=.{1,240}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'example.com',
      ),
      ...(certificateArn === undefined
        ? {}
        : {
            certificateArn: text(
              'certificateArn',
              certificateArn,
              /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
              'arn:aws:acm:eu-west-1:123456789012:certificate/<uuid>',
            ),
          }),
      ...(hostedZoneId === undefined
        ? {}
        : { hostedZoneId: text('hostedZoneId', hostedZoneId, /^Z[A-Z0-9]{1,31}$/, 'Z0123456789ABCDEFGHIJ') }),
      disableDefaultEndpoints:
        given('disableDefaultEndpoints') === undefined
          ? false
          : flag('disableDefaultEndpoints', given('disableDefaultEndpoints')),
    });
  }
  return config;
}

/** The stage config of a CDK app: `-c stage=…` (default `sandbox`) plus every override the app's context holds. */
export function stageConfigFromContext(tryGetContext: (key: string) => unknown): StageConfig {
  const stage = tryGetContext('stage') ?? 'sandbox';
  if (typeof stage !== 'string')
    throw new ConfigError(
      'stage',
      stage,
      'use a stage name, e.g. -c stage=sandbox, -c stage=prod or -c stage=alice',
    );
  const overrides: StageOverrides = {};
  for (const key of CONTEXT_KEYS) {
    const value = tryGetContext(key);
    if (value !== undefined) overrides[key] = value;
  }
  return stageConfig(stage, overrides);
}
