import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod';
import type { LocalCloudModel, LocalResource } from '../model';
import { parseTemplate } from './cfn-template';
import { rewriteUrls, urlRewrites } from './endpoint-rewrite';
import { TemplateResolutionError } from './intrinsics';
import type { LocalEndpoints } from './physical-ids';
import { StackResolver } from './stack-resolver';

/** How to load a cloud assembly. */
export interface LoadCloudAssemblyOptions {
  /** @default the first concrete region in the stacks' environments, else `us-east-1` */
  readonly region?: string;
  /** @default the first concrete account in the stacks' environments, else `000000000000` */
  readonly accountId?: string;
  /** Resource types the local cloud emulates; every other type is reported in `unsupported`.
   * @default none reported */
  readonly supportedTypes?: Iterable<string>;
  /** Local addresses used in attributes and hand-built URLs. @default AWS forms */
  readonly endpoints?: LocalEndpoints;
  /** Template parameter values by name (any stack), overriding Defaults. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** A stack of the assembly, in deployment order. */
export interface AssemblyStack {
  readonly stackName: string;
  /** The artifact id in its manifest (differs from the stack name inside stages). */
  readonly artifactId: string;
  readonly templateFile: string;
  /** Names of the stacks this one is deployed after. */
  readonly dependsOn: readonly string[];
}

/** Resource types the local cloud does not emulate, each with the `<stack>/<logicalId>` of its resources. */
export interface UnsupportedResources {
  readonly type: string;
  readonly logicalIds: readonly string[];
}

/** A cdk.out resolved for local use. */
export interface LoadedCloudAssembly {
  readonly model: LocalCloudModel;
  /** Absolute path of the cdk.out asset a Lambda function or layer runs from (a directory for zip assets). */
  readonly assets: (resource: LocalResource) => string | undefined;
  readonly unsupported: readonly UnsupportedResources[];
  readonly stacks: readonly AssemblyStack[];
}

const artifactSchema = z.object({
  type: z.string(),
  environment: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  dependencies: z.array(z.string()).optional(),
});
const manifestSchema = z.object({ artifacts: z.record(z.string(), artifactSchema).optional() });
const stackPropertiesSchema = z.object({ templateFile: z.string(), stackName: z.string().optional() });
const fileArtifactSchema = z.object({ file: z.string() });
const nestedAssemblySchema = z.object({ directoryName: z.string() });
const assetManifestSchema = z.object({
  files: z
    .record(
      z.string(),
      z.object({
        source: z.object({ path: z.string().optional() }),
        destinations: z.record(z.string(), z.object({ objectKey: z.string() })),
      }),
    )
    .optional(),
});

/** Types that exist only to feed CDK's own bookkeeping, never worth reporting as unsupported. */
const BOOKKEEPING_TYPES = new Set(['AWS::CDK::Metadata']);

function readJson<T>(file: string, schema: z.ZodType<T>, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TemplateResolutionError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new TemplateResolutionError(`${what} ${file} is not valid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

interface RawStack {
  readonly key: string;
  readonly stackName: string;
  readonly artifactId: string;
  readonly templateFile: string;
  readonly dependencyKeys: readonly string[];
  readonly environment?: { account?: string; region?: string };
  readonly assemblyDir: string;
}

interface AssemblyContents {
  readonly stacks: RawStack[];
  /** S3 object key of an asset → absolute path of its source in cdk.out. */
  readonly assetsByKey: Map<string, string>;
}

function concreteEnvironment(environment: string | undefined): { account?: string; region?: string } {
  const match = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(environment ?? '');
  if (!match) return {};
  const [, account = '', region = ''] = match;
  return {
    ...(account.startsWith('unknown-') ? {} : { account }),
    ...(region.startsWith('unknown-') ? {} : { region }),
  };
}

/** Reads a manifest and, recursively, the nested assemblies of its stages. */
function readAssembly(dir: string, contents: AssemblyContents): void {
  const manifest = readJson(join(dir, 'manifest.json'), manifestSchema, 'cloud assembly manifest');
  const artifacts = manifest.artifacts ?? {};
  for (const [artifactId, artifact] of Object.entries(artifacts)) {
    const where = `artifact ${artifactId} in ${join(dir, 'manifest.json')}`;
    if (artifact.type === 'aws:cloudformation:stack') {
      const props = stackPropertiesSchema.safeParse(artifact.properties);
      if (!props.success) throw new TemplateResolutionError(`${where} has no templateFile`);
      const stackDependencies = (artifact.dependencies ?? []).filter(
        (id) => artifacts[id]?.type === 'aws:cloudformation:stack',
      );
      contents.stacks.push({
        key: `${dir}\0${artifactId}`,
        stackName: props.data.stackName ?? artifactId,
        artifactId,
        templateFile: join(dir, props.data.templateFile),
        dependencyKeys: stackDependencies.map((id) => `${dir}\0${id}`),
        environment: concreteEnvironment(artifact.environment),
        assemblyDir: dir,
      });
    } else if (artifact.type === 'cdk:asset-manifest') {
      const props = fileArtifactSchema.safeParse(artifact.properties);
      if (!props.success) throw new TemplateResolutionError(`${where} has no file`);
      const assets = readJson(join(dir, props.data.file), assetManifestSchema, 'asset manifest');
      for (const file of Object.values(assets.files ?? {})) {
        if (!file.source.path) continue;
        for (const destination of Object.values(file.destinations)) {
          contents.assetsByKey.set(destination.objectKey, resolve(dir, file.source.path));
        }
      }
    } else if (artifact.type === 'cdk:cloud-assembly') {
      const props = nestedAssemblySchema.safeParse(artifact.properties);
      if (!props.success) throw new TemplateResolutionError(`${where} has no directoryName`);
      readAssembly(join(dir, props.data.directoryName), contents);
    }
  }
}

/** Deployment order: dependencies first, otherwise manifest order. */
function deploymentOrder(stacks: readonly RawStack[]): RawStack[] {
  const byKey = new Map(stacks.map((stack) => [stack.key, stack]));
  const ordered: RawStack[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (stack: RawStack, chain: string[]): void => {
    if (state.get(stack.key) === 'done') return;
    if (state.get(stack.key) === 'visiting') {
      throw new TemplateResolutionError(
        `stacks depend on each other: ${[...chain, stack.stackName].join(' -> ')}`,
      );
    }
    state.set(stack.key, 'visiting');
    for (const key of stack.dependencyKeys) {
      const dependency = byKey.get(key);
      if (dependency) visit(dependency, [...chain, stack.stackName]);
    }
    state.set(stack.key, 'done');
    ordered.push(stack);
  };
  for (const stack of stacks) visit(stack, []);
  return ordered;
}

function codeKey(resource: LocalResource): string | undefined {
  for (const property of ['Code', 'Content']) {
    const code = resource.properties[property];
    if (typeof code === 'object' && code !== null && 'S3Key' in code && typeof code.S3Key === 'string') {
      return code.S3Key;
    }
  }
  return undefined;
}

/**
 * Reads a synthesized CDK app (cdk.out) and resolves every stack's template into a `LocalCloudModel`: intrinsics
 * resolved, deterministic local physical ids and attributes, cross-stack exports followed, outputs resolved,
 * and Lambda code mapped to its cdk.out asset. Fails with a `TemplateResolutionError` naming the stack,
 * resource and property path of anything it cannot resolve.
 */
export function loadCloudAssembly(
  cdkOutDir: string,
  options: LoadCloudAssemblyOptions = {},
): LoadedCloudAssembly {
  const root = resolve(cdkOutDir);
  const contents: AssemblyContents = { stacks: [], assetsByKey: new Map() };
  readAssembly(root, contents);
  const ordered = deploymentOrder(contents.stacks);

  const names = new Set<string>();
  for (const stack of ordered) {
    if (names.has(stack.stackName))
      throw new TemplateResolutionError(`two stacks are named ${stack.stackName}`);
    names.add(stack.stackName);
  }

  const region =
    options.region ?? ordered.find((s) => s.environment?.region)?.environment?.region ?? 'us-east-1';
  const accountId =
    options.accountId ?? ordered.find((s) => s.environment?.account)?.environment?.account ?? '000000000000';
  const endpoints = options.endpoints ?? {};
  const urlSuffix = 'amazonaws.com';

  const exportsByName = new Map<string, { resolver: StackResolver; outputName: string }>();
  const resolversByName = new Map<string, StackResolver>();
  const following: string[] = [];
  /** Reads another stack's output, refusing to go round in a circle between stacks. */
  const crossStackOutput = (
    resolver: StackResolver,
    outputName: string,
    location: string,
    path: string,
  ): string => {
    const key = `${resolver.stackName}/Outputs/${outputName}`;
    if (following.includes(key)) {
      throw new TemplateResolutionError(
        `${location} at ${path}: circular cross-stack reference through ${key}`,
      );
    }
    following.push(key);
    try {
      return resolver.output(outputName);
    } finally {
      following.pop();
    }
  };
  const importValue = (exportName: string, location: string, path: string): string => {
    const found = exportsByName.get(exportName);
    if (!found) throw new TemplateResolutionError(`${location} at ${path}: no stack exports ${exportName}`);
    return crossStackOutput(found.resolver, found.outputName, location, path);
  };
  const stackOutput = (stackName: string, outputName: string, location: string, path: string): string => {
    const resolver = resolversByName.get(stackName);
    if (!resolver)
      throw new TemplateResolutionError(`${location} at ${path}: there is no stack ${stackName}`);
    return crossStackOutput(resolver, outputName, location, path);
  };

  const loaded = ordered.map((stack) => {
    const template = parseTemplate(stack.stackName, readJson(stack.templateFile, z.unknown(), 'template'));
    const resolver = new StackResolver(stack.stackName, template, {
      region,
      accountId,
      partition: 'aws',
      urlSuffix,
      endpoints,
      parameters: options.parameters ?? {},
      importValue,
      stackOutput,
    });
    resolversByName.set(stack.stackName, resolver);
    return { stack, template, resolver };
  });
  for (const { resolver } of loaded) {
    for (const entry of resolver.exports()) {
      const clash = exportsByName.get(entry.exportName);
      if (clash) {
        throw new TemplateResolutionError(
          `export ${entry.exportName} is declared by both ${clash.resolver.stackName} and ${resolver.stackName}`,
        );
      }
      exportsByName.set(entry.exportName, { resolver, outputName: entry.outputName });
    }
  }

  const resolved: LocalResource[] = [];
  const outputs: Record<string, Record<string, string>> = {};
  for (const { stack, resolver } of loaded) {
    resolved.push(...resolver.resources());
    outputs[stack.stackName] = resolver.outputs();
  }

  const rewrites = urlRewrites(resolved, { region, accountId, urlSuffix, endpoints });
  const resources = resolved.map((resource) => ({
    ...resource,
    properties: rewriteUrls(resource.properties, rewrites),
    attributes: rewriteUrls(resource.attributes, rewrites),
  }));

  const assetMetadata = new Map<string, string>();
  for (const { stack, template } of loaded) {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const path = resource.Metadata?.['aws:asset:path'];
      if (typeof path === 'string')
        assetMetadata.set(`${stack.stackName}/${logicalId}`, resolve(stack.assemblyDir, path));
    }
  }

  return {
    model: { region, accountId, resources, outputs: rewriteUrls(outputs, rewrites) },
    assets: (resource) => {
      const key = codeKey(resource);
      return (
        (key !== undefined ? contents.assetsByKey.get(key) : undefined) ??
        assetMetadata.get(`${resource.stackName}/${resource.logicalId}`)
      );
    },
    unsupported: unsupportedResources(resources, options.supportedTypes),
    stacks: ordered.map((stack) => ({
      stackName: stack.stackName,
      artifactId: stack.artifactId,
      templateFile: stack.templateFile,
      dependsOn: stack.dependencyKeys.flatMap((key) => {
        const dependency = ordered.find((s) => s.key === key);
        return dependency ? [dependency.stackName] : [];
      }),
    })),
  };
}

function unsupportedResources(
  resources: readonly LocalResource[],
  supportedTypes: Iterable<string> | undefined,
): UnsupportedResources[] {
  if (!supportedTypes) return [];
  const supported = new Set(supportedTypes);
  const byType = new Map<string, string[]>();
  for (const resource of resources) {
    if (supported.has(resource.type) || BOOKKEEPING_TYPES.has(resource.type)) continue;
    const ids = byType.get(resource.type) ?? [];
    ids.push(`${resource.stackName}/${resource.logicalId}`);
    byType.set(resource.type, ids);
  }
  return [...byType.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, logicalIds]) => ({ type, logicalIds }));
}
