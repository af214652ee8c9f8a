import type { DeployOnlyType, ResourceTypeSupport } from './local-service';
import type { LocalResource } from './model';

/** Types that exist only for CDK's own bookkeeping, never worth reporting. */
const BOOKKEEPING_TYPES = new Set(['AWS::CDK::Metadata']);

/** Resources of one type the local cloud does not emulate, and why. */
export interface NotEmulatedResources {
  readonly type: string;
  /** `<stack>/<logicalId>` of each resource of that type. */
  readonly logicalIds: readonly string[];
  /** The declaring service's reason, or `undefined` when no service knows the type at all. */
  readonly reason: string | undefined;
}

/** The deploy-only resources of one category (monitoring, custom domains, …), as printed in one line at start. */
export interface DeployOnlyGroup {
  readonly category: string;
  readonly reason: string;
  /** Most resources first, then by label. */
  readonly types: ReadonlyArray<{
    readonly type: string;
    readonly label: string;
    /** `<stack>/<logicalId>` of each resource of that type. */
    readonly logicalIds: readonly string[];
  }>;
}

/** What a template holds beyond what the local cloud serves: the deploy-only part and the not-emulated part. */
export interface ResourceCoverage {
  /** By category name. */
  readonly deployOnly: readonly DeployOnlyGroup[];
  /** By type. */
  readonly notEmulated: readonly NotEmulatedResources[];
}

/**
 * Every type's one declaration, refusing a type two services claim differently (one emulating it, another
 * calling it deploy-only), since the banner could then say either. Several services may emulate the same type
 * (the DynamoDB and SQS services each serve the event-source mappings of their own sources).
 */
function declarationsByType(declarations: readonly ResourceTypeSupport[]) {
  const emulated = new Set<string>();
  const claims = new Map<string, 'emulated' | 'notEmulated' | 'deployOnly'>();
  const claim = (type: string, kind: 'emulated' | 'notEmulated' | 'deployOnly') => {
    const earlier = claims.get(type);
    if (earlier && !(earlier === 'emulated' && kind === 'emulated')) {
      throw new Error(
        `resource type ${type} is declared twice (${earlier} and ${kind}): declare it in one service only`,
      );
    }
    claims.set(type, kind);
  };
  const reasons = new Map<string, string>();
  const deployOnly = new Map<string, DeployOnlyType>();
  for (const declaration of declarations) {
    for (const type of declaration.emulated) {
      claim(type, 'emulated');
      emulated.add(type);
    }
    for (const [type, reason] of Object.entries(declaration.notEmulated ?? {})) {
      claim(type, 'notEmulated');
      reasons.set(type, reason);
    }
    for (const [type, support] of Object.entries(declaration.deployOnly ?? {})) {
      claim(type, 'deployOnly');
      deployOnly.set(type, support);
    }
  }
  return { emulated, reasons, deployOnly };
}

/**
 * What the local cloud leaves out of a template, derived only from what the services declare: a type some
 * service emulates is served; a deploy-only one is grouped under its category; one a service accepts without
 * emulating carries that service's reason; any other type is reported with no reason (unknown to every
 * service). So what is printed at start cannot claim more than the services do.
 */
export function resourceCoverage(
  resources: readonly LocalResource[],
  declarations: readonly ResourceTypeSupport[],
): ResourceCoverage {
  const { emulated, reasons, deployOnly } = declarationsByType(declarations);
  const notEmulated = new Map<string, string[]>();
  const deployOnlyByType = new Map<string, { readonly support: DeployOnlyType; readonly names: string[] }>();
  for (const resource of resources) {
    if (emulated.has(resource.type) || BOOKKEEPING_TYPES.has(resource.type)) continue;
    const name = `${resource.stackName}/${resource.logicalId}`;
    const support = deployOnly.get(resource.type);
    if (support && (support.only?.applies(resource, resources) ?? true)) {
      const entry = deployOnlyByType.get(resource.type) ?? { support, names: [] };
      deployOnlyByType.set(resource.type, { support, names: [...entry.names, name] });
    } else {
      if (support?.only) reasons.set(resource.type, support.only.otherwise);
      notEmulated.set(resource.type, [...(notEmulated.get(resource.type) ?? []), name]);
    }
  }

  const groups = new Map<string, DeployOnlyGroup>();
  for (const [type, { support, names: logicalIds }] of deployOnlyByType) {
    const { category, label } = support;
    const group = groups.get(category.name) ?? {
      category: category.name,
      reason: category.reason,
      types: [],
    };
    groups.set(category.name, { ...group, types: [...group.types, { type, label, logicalIds }] });
  }
  return {
    deployOnly: [...groups.values()]
      .sort((a, b) => a.category.localeCompare(b.category))
      .map((group) => ({
        ...group,
        types: [...group.types].sort(
          (a, b) => b.logicalIds.length - a.logicalIds.length || a.label.localeCompare(b.label),
        ),
      })),
    notEmulated: [...notEmulated.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, logicalIds]) => ({ type, logicalIds, reason: reasons.get(type) })),
  };
}

/**
 * The start-banner line of a deploy-only group, its types by count:
 * `deploy-only: monitoring (CloudWatch alarm ×12, dashboard ×1) — <reason>`.
 */
export function deployOnlyLine(group: DeployOnlyGroup): string {
  const counts = group.types.map(({ label, logicalIds }) => `${label} ×${logicalIds.length}`).join(', ');
  return `deploy-only: ${group.category} (${counts}) — ${group.reason}`;
}
