import type { LocalResource } from '../model';
import type { CfnTemplate } from './cfn-template';
import {
  evaluateCondition,
  type IntrinsicScope,
  NO_VALUE,
  resolveValue,
  TemplateResolutionError,
} from './intrinsics';
import {
  deterministicUuid,
  type LocalEndpoints,
  type ResourceIdentity,
  resourceIdentity,
} from './physical-ids';

/** What one stack's resolution needs from the app around it. */
export interface StackEnvironment {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly endpoints: LocalEndpoints;
  /** Parameter values by name, overriding template defaults. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Resolves `Fn::ImportValue` against the exports of the other stacks in the app. */
  importValue(exportName: string, location: string, path: string): string;
  /** Resolves `Fn::GetStackOutput` against the outputs of the other stacks in the app. */
  stackOutput(stackName: string, outputName: string, location: string, path: string): string;
}

/** An output whose `Export.Name` makes it importable by other stacks. */
export interface StackExport {
  readonly exportName: string;
  readonly outputName: string;
}

const LIST_PARAMETER =
  /^(CommaDelimitedList|List<.*>|AWS::SSM::Parameter::Value<List<.*>>|AWS::SSM::Parameter::Value<CommaDelimitedList>)$/;
const SSM_PARAMETER = /^AWS::SSM::Parameter::Value</;

function isListType(type: string): boolean {
  return LIST_PARAMETER.test(type);
}

function outputText(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // CloudFormation renders a list-valued output as its comma-joined elements.
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  throw new TemplateResolutionError(
    `${where}: an output value must be a string, got ${JSON.stringify(value)}`,
  );
}

/**
 * Resolves one stack lazily: a resource's identity, a condition or an output is computed the first time it is
 * needed and memoized, so references can be followed in any order; a cycle fails with the chain that formed it.
 */
export class StackResolver {
  readonly stackId: string;
  private readonly identities = new Map<string, ResourceIdentity>();
  private readonly conditions = new Map<string, boolean>();
  private readonly outputValues = new Map<string, string>();
  private readonly inProgress: string[] = [];

  constructor(
    readonly stackName: string,
    private readonly template: CfnTemplate,
    private readonly env: StackEnvironment,
  ) {
    this.stackId = `arn:${env.partition}:cloudformation:${env.region}:${env.accountId}:stack/${stackName}/${deterministicUuid(stackName)}`;
  }

  /** Every resource whose condition holds, with properties resolved, in template order. */
  resources(): LocalResource[] {
    const resolved: LocalResource[] = [];
    for (const [logicalId, resource] of Object.entries(this.template.Resources)) {
      if (!this.exists(logicalId)) continue;
      const identity = this.identity(logicalId);
      const properties = resolveValue(resource.Properties ?? {}, this.scope(logicalId), 'Properties');
      resolved.push({
        stackName: this.stackName,
        logicalId,
        type: resource.Type,
        physicalId: identity.physicalId,
        properties: properties as Record<string, unknown>,
        attributes: identity.attributes,
      });
    }
    return resolved;
  }

  /** Every output whose condition holds, as strings. */
  outputs(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [name, output] of Object.entries(this.template.Outputs ?? {})) {
      if (output.Condition !== undefined && !this.condition(output.Condition, `Outputs.${name}`)) continue;
      result[name] = this.output(name);
    }
    return result;
  }

  /** The outputs other stacks can import, with their export names resolved. */
  exports(): StackExport[] {
    const result: StackExport[] = [];
    for (const [outputName, output] of Object.entries(this.template.Outputs ?? {})) {
      if (!output.Export) continue;
      if (output.Condition !== undefined && !this.condition(output.Condition, `Outputs.${outputName}`))
        continue;
      const location = `Outputs/${outputName}`;
      const name = resolveValue(output.Export.Name, this.scope(location), 'Export.Name');
      result.push({ exportName: outputText(name, `${this.stackName}/${location}`), outputName });
    }
    return result;
  }

  /** One output's value (memoized; used for exports too). */
  output(name: string): string {
    const cached = this.outputValues.get(name);
    if (cached !== undefined) return cached;
    const output = this.template.Outputs?.[name];
    if (!output) throw new TemplateResolutionError(`${this.stackName}: there is no output ${name}`);
    const location = `Outputs/${name}`;
    const value = this.guarded(`output ${name}`, () =>
      outputText(resolveValue(output.Value, this.scope(location), 'Value'), `${this.stackName}/${location}`),
    );
    this.outputValues.set(name, value);
    return value;
  }

  private exists(logicalId: string): boolean {
    const condition = this.template.Resources[logicalId]?.Condition;
    return condition === undefined || this.condition(condition, `Resources.${logicalId}.Condition`);
  }

  private condition(name: string, path: string): boolean {
    const cached = this.conditions.get(name);
    if (cached !== undefined) return cached;
    const expression = this.template.Conditions?.[name];
    if (expression === undefined) {
      throw new TemplateResolutionError(`${this.stackName} at ${path}: there is no condition ${name}`);
    }
    const value = this.guarded(`condition ${name}`, () =>
      evaluateCondition(expression, this.scope(`Conditions/${name}`), ''),
    );
    this.conditions.set(name, value);
    return value;
  }

  private identity(logicalId: string): ResourceIdentity {
    const cached = this.identities.get(logicalId);
    if (cached) return cached;
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new TemplateResolutionError(`${this.stackName}: there is no resource ${logicalId}`);
    const scope = this.scope(logicalId);
    const identity = this.guarded(`resource ${logicalId}`, () =>
      resourceIdentity({
        stackName: this.stackName,
        logicalId,
        type: resource.Type,
        region: this.env.region,
        accountId: this.env.accountId,
        partition: this.env.partition,
        urlSuffix: this.env.urlSuffix,
        endpoints: this.env.endpoints,
        property: (name) => {
          const value = resolveValue(resource.Properties?.[name], scope, `Properties.${name}`);
          return value === NO_VALUE ? undefined : value;
        },
      }),
    );
    this.identities.set(logicalId, identity);
    return identity;
  }

  private guarded<T>(key: string, compute: () => T): T {
    if (this.inProgress.includes(key)) {
      const chain = [...this.inProgress.slice(this.inProgress.indexOf(key)), key].join(' -> ');
      throw new TemplateResolutionError(`${this.stackName}: circular reference ${chain}`);
    }
    this.inProgress.push(key);
    try {
      return compute();
    } finally {
      this.inProgress.pop();
    }
  }

  private pseudoParameter(name: string): unknown {
    const { env } = this;
    switch (name) {
      case 'AWS::Region':
        return env.region;
      case 'AWS::AccountId':
        return env.accountId;
      case 'AWS::Partition':
        return env.partition;
      case 'AWS::URLSuffix':
        return env.urlSuffix;
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return this.stackId;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
      default:
        return undefined;
    }
  }

  private parameter(name: string, path: string, location: string): unknown {
    const parameter = this.template.Parameters?.[name];
    if (!parameter) return undefined;
    const given = this.env.parameters[name];
    let value: string;
    if (given !== undefined) {
      value = given;
    } else if (parameter.Default === undefined) {
      throw new TemplateResolutionError(
        `${this.stackName}/${location} at ${path}: parameter ${name} has no Default; pass a value in options.parameters`,
      );
    } else if (SSM_PARAMETER.test(parameter.Type)) {
      // The Default of an SSM-typed parameter is the parameter's path, not its value (e.g. CDK's BootstrapVersion).
      value = `local-ssm:${String(parameter.Default)}`;
    } else {
      value = Array.isArray(parameter.Default) ? parameter.Default.join(',') : String(parameter.Default);
    }
    return isListType(parameter.Type) ? value.split(',') : value;
  }

  private scope(location: string): IntrinsicScope {
    const where = `${this.stackName}/${location}`;
    return {
      location: where,
      region: this.env.region,
      ref: (name, path) => {
        const pseudo = this.pseudoParameter(name);
        if (pseudo !== undefined) return pseudo;
        const parameter = this.parameter(name, path, location);
        if (parameter !== undefined) return parameter;
        return this.existingIdentity(name, where, path, 'Ref').physicalId;
      },
      getAtt: (logicalId, attribute, path) => {
        const identity = this.existingIdentity(logicalId, where, path, 'Fn::GetAtt');
        // Attributes the local cloud does not model (custom resources, nested stack outputs) get a stable
        // placeholder: deploy-only features still resolve, and the value shows where it came from.
        return identity.attributes[attribute] ?? `${identity.physicalId}.${attribute}`;
      },
      condition: (name, path) => this.condition(name, path),
      findInMap: (mapName, topKey, secondKey) => this.template.Mappings?.[mapName]?.[topKey]?.[secondKey],
      importValue: (exportName, path) => this.env.importValue(exportName, where, path),
      stackOutput: (stackName, outputName, path) => this.env.stackOutput(stackName, outputName, where, path),
    };
  }

  private existingIdentity(logicalId: string, where: string, path: string, fn: string): ResourceIdentity {
    const resource = this.template.Resources[logicalId];
    if (!resource) {
      throw new TemplateResolutionError(
        `${where} at ${path}: ${fn} to ${logicalId}, which is not in the template`,
      );
    }
    if (!this.exists(logicalId)) {
      throw new TemplateResolutionError(
        `${where} at ${path}: ${fn} to ${logicalId}, whose condition ${resource.Condition} is false`,
      );
    }
    return this.identity(logicalId);
  }
}
