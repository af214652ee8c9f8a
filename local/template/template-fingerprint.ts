import type { LocalCloudModel } from '../model';

/**
 * The template as the local cloud serves it, minus where function code lives: two assemblies with the same
 * fingerprint differ at most in function bundles, which the Lambda runtime swaps without a restart.
 */
export function templateFingerprint(model: LocalCloudModel): string {
  return JSON.stringify(
    model.resources.map((r) =>
      r.type === 'AWS::Lambda::Function' ? { ...r, properties: { ...r.properties, Code: undefined } } : r,
    ),
  );
}
