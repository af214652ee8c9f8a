/** Per-stage settings, chosen with `-c stage=<name>` (default `dev`). */
export interface StageConfig {
  readonly stage: string;
  /** Origins allowed by CORS. Never `*` in prod. */
  readonly allowedOrigins: readonly string[];
  /** Whether Cognito requires MFA (prod) or only offers it (sandboxes, workshops). */
  readonly mfaRequired: boolean;
  /** Removal policy of stateful resources: prod retains them, sandboxes destroy them with the stack. */
  readonly retainData: boolean;
  /** A sandbox (workshops, trying things out): the only kind of stage where a CORS origin may be `*`. */
  readonly sandbox: boolean;
}

const STAGES: Record<string, StageConfig> = {
  dev: {
    stage: 'dev',
    allowedOrigins: ['http://localhost:5173', 'http://localhost:3000'],
    mfaRequired: false,
    retainData: false,
    sandbox: true,
  },
  prod: {
    stage: 'prod',
    allowedOrigins: ['https://app.example.com'],
    mfaRequired: true,
    retainData: true,
    sandbox: false,
  },
};

/**
 * Resolves a stage's config, with `allowedOrigins` overridable by context (comma-separated).
 * Misuse fails at synth with a message that shows the bad value and the fix.
 */
export function stageConfig(stage: string, allowedOriginsOverride?: string): StageConfig {
  const base = STAGES[stage];
  if (!base) {
    throw new Error(
      `unknown stage '${stage}': use one of ${Object.keys(STAGES).join(', ')} (cdk synth -c stage=dev)`,
    );
  }
  const allowedOrigins = allowedOriginsOverride
    ? allowedOriginsOverride
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    : base.allowedOrigins;
  for (const origin of allowedOrigins) {
    if (origin === '*' && !base.sandbox) {
      throw new Error(
        `allowed origin '*' is not allowed in ${stage} (only in a sandbox stage): list your app's origins, e.g. -c allowedOrigins=https://app.example.com`,
      );
    }
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new Error(
        `allowed origin '${origin}' is not an origin: use scheme://host[:port] with no path, e.g. https://app.example.com`,
      );
    }
  }
  if (allowedOrigins.length === 0) throw new Error('allowedOrigins is empty: list at least one origin');
  return { ...base, allowedOrigins };
}
