import type { ResourceTypeSupport } from './local-service';
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

/**
 * What the local cloud leaves out of a template, derived only from what the services declare: a type some
 * service emulates is served; one a service accepts without emulating carries that service's reason; any
 * other type is reported with no reason (unknown to every service). So the list printed at start cannot claim
 * more than the services do.
 */
export function notEmulatedResources(
  resources: readonly LocalResource[],
  declarations: readonly ResourceTypeSupport[],
): NotEmulatedResources[] {
  const emulated = new Set(declarations.flatMap((declaration) => declaration.emulated));
  const reasons = new Map(
    declarations.flatMap((declaration) => Object.entries(declaration.notEmulated ?? {})),
  );
  const byType = new Map<string, string[]>();
  for (const resource of resources) {
    if (emulated.has(resource.type) || BOOKKEEPING_TYPES.has(resource.type)) continue;
    byType.set(resource.type, [
      ...(byType.get(resource.type) ?? []),
      `${resource.stackName}/${resource.logicalId}`,
    ]);
  }
  return [...byType.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, logicalIds]) => ({ type, logicalIds, reason: reasons.get(type) }));
}
