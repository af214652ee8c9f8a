import type { LocalCloudModel, LocalResource } from '../model';
import { awsManagedPolicy } from './managed-policies';
import { type PolicyDocument, parsePolicyDocument } from './policy-document';

/** A role of the template with every policy that applies to it. */
export interface RoleDefinition {
  readonly arn: string;
  readonly name: string;
  /** `<stack>/<logicalId>`, for messages. */
  readonly id: string;
  readonly trustPolicy: PolicyDocument;
  /** Inline (`Policies`), `AWS::IAM::Policy`, customer and known AWS managed policies. */
  readonly policies: readonly PolicyDocument[];
  /** The role's tags: `aws:PrincipalTag/*` of its sessions. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * IAM as the template declares it: roles and their identity policies, which role each function runs with, and
 * the resource-based policies of functions (`AWS::Lambda::Permission`), queues and buckets. Parsed once per
 * template (intrinsics are already resolved to the local ARNs the services use).
 */
export interface IamModel {
  readonly accountId: string;
  readonly region: string;
  readonly roles: ReadonlyMap<string, RoleDefinition>;
  /** Role ARN by unqualified function ARN. */
  readonly functionRoles: ReadonlyMap<string, string>;
  /** Each function's permissions as one resource-based policy, by unqualified function ARN. */
  readonly functionPolicies: ReadonlyMap<string, PolicyDocument>;
  /** Queue policies by queue ARN (a queue in several policies gets all their statements). */
  readonly queuePolicies: ReadonlyMap<string, PolicyDocument>;
  /** Bucket policies by bucket name. */
  readonly bucketPolicies: ReadonlyMap<string, PolicyDocument>;
  /** Each API Gateway authorizer's id, by `<apiId> <function ARN>` (the source ARN of its invocations names it). */
  readonly authorizers: ReadonlyMap<string, string>;
  /**
   * AWS managed policies attached to some role that this model does not know the statements of (they grant
   * nothing), with the ARNs of the roles they are attached to.
   */
  readonly unknownManagedPolicies: ReadonlyMap<string, readonly string[]>;
}

const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];
const idOf = (r: LocalResource) => `${r.stackName}/${r.logicalId}`;

function tagsOf(resource: LocalResource): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const tag of list(resource.properties.Tags) as Array<{ Key?: unknown; Value?: unknown }>) {
    if (typeof tag?.Key === 'string') tags[tag.Key] = String(tag.Value ?? '');
  }
  return tags;
}

/** A permission's FunctionName (a name, a partial or full ARN, maybe qualified) as the function's unqualified ARN. */
function functionArnOf(value: unknown, model: LocalCloudModel): string | undefined {
  if (typeof value !== 'string') return undefined;
  const arn = value.startsWith('arn:')
    ? value
    : `arn:aws:lambda:${model.region}:${model.accountId}:function:${value.replace(/^function:/, '')}`;
  return arn.split(':').slice(0, 7).join(':');
}

/** The unqualified function ARN an API Gateway integration or authorizer URI (or a plain function ARN) names. */
export function functionArnOfUri(uri: unknown): string | undefined {
  if (typeof uri !== 'string') return undefined;
  const arn =
    /functions\/(arn:[^/]+)\/invocations/.exec(uri)?.[1] ??
    (uri.startsWith('arn:aws:lambda:') ? uri : undefined);
  return arn?.split(':').slice(0, 7).join(':');
}

/** An `AWS::Lambda::Permission` as the statement Lambda adds to the function's policy for it. */
function permissionStatement(resource: LocalResource): Record<string, unknown> {
  const props = resource.properties;
  const principal = String(props.Principal ?? '');
  const condition: Record<string, Record<string, string>> = {};
  if (typeof props.SourceArn === 'string') condition.ArnLike = { 'AWS:SourceArn': props.SourceArn };
  if (typeof props.SourceAccount === 'string')
    condition.StringEquals = { 'AWS:SourceAccount': props.SourceAccount };
  if (typeof props.PrincipalOrgID === 'string')
    condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': props.PrincipalOrgID };
  return {
    Sid: resource.logicalId,
    Effect: 'Allow',
    Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
    Action: props.Action,
    Resource: '*',
    Condition: condition,
  };
}

/** Builds the IAM view of a template. */
export function iamModelOf(model: LocalCloudModel): IamModel {
  const { resources } = model;
  const byType = (type: string) => resources.filter((r) => r.type === type);
  const attached = new Map<string, PolicyDocument[]>();
  const attach = (roleName: unknown, policy: PolicyDocument) => {
    if (typeof roleName !== 'string') return;
    attached.set(roleName, [...(attached.get(roleName) ?? []), policy]);
  };
  for (const policy of byType('AWS::IAM::Policy')) {
    const document = parsePolicyDocument(idOf(policy), policy.properties.PolicyDocument);
    for (const role of list(policy.properties.Roles)) attach(role, document);
  }
  const customerManaged = new Map<string, PolicyDocument>();
  for (const policy of byType('AWS::IAM::ManagedPolicy')) {
    const document = parsePolicyDocument(idOf(policy), policy.properties.PolicyDocument);
    customerManaged.set(policy.physicalId, document);
    for (const role of list(policy.properties.Roles)) attach(role, document);
  }

  const roles = new Map<string, RoleDefinition>();
  const unknownManagedPolicies = new Map<string, string[]>();
  for (const role of byType('AWS::IAM::Role')) {
    const arn = role.attributes.Arn ?? '';
    const inline = (
      list(role.properties.Policies) as Array<{ PolicyName?: unknown; PolicyDocument?: unknown }>
    ).map((p) =>
      parsePolicyDocument(`${idOf(role)} inline policy ${String(p?.PolicyName)}`, p?.PolicyDocument),
    );
    const managed = list(role.properties.ManagedPolicyArns).flatMap((value) => {
      const policyArn = String(value);
      const known = customerManaged.get(policyArn) ?? awsManagedPolicy(policyArn);
      if (known) return [known];
      // An AWS managed policy this model lacks, or a customer one outside the template: it grants nothing here.
      unknownManagedPolicies.set(policyArn, [...(unknownManagedPolicies.get(policyArn) ?? []), arn]);
      return [];
    });
    roles.set(arn, {
      arn,
      name: role.physicalId,
      id: idOf(role),
      trustPolicy: parsePolicyDocument(
        `${idOf(role)} trust policy`,
        role.properties.AssumeRolePolicyDocument,
      ),
      policies: [...inline, ...managed, ...(attached.get(role.physicalId) ?? [])],
      tags: tagsOf(role),
    });
  }

  const functionRoles = new Map<string, string>();
  for (const fn of byType('AWS::Lambda::Function')) {
    const arn = fn.attributes.Arn;
    if (arn !== undefined && typeof fn.properties.Role === 'string')
      functionRoles.set(arn, fn.properties.Role);
  }

  const permissionStatements = new Map<string, Record<string, unknown>[]>();
  for (const permission of byType('AWS::Lambda::Permission')) {
    const fnArn = functionArnOf(permission.properties.FunctionName, model);
    if (fnArn === undefined) continue;
    permissionStatements.set(fnArn, [
      ...(permissionStatements.get(fnArn) ?? []),
      permissionStatement(permission),
    ]);
  }
  const functionPolicies = new Map(
    [...permissionStatements].map(([arn, statements]) => [
      arn,
      parsePolicyDocument(`the resource-based policy of ${arn}`, { Statement: statements }),
    ]),
  );

  const queueArnByUrl = new Map(
    byType('AWS::SQS::Queue').map((q) => [q.attributes.QueueUrl ?? q.physicalId, q.attributes.Arn ?? '']),
  );
  const queueStatements = new Map<string, unknown[]>();
  for (const policy of byType('AWS::SQS::QueuePolicy')) {
    const statements = list((policy.properties.PolicyDocument as { Statement?: unknown })?.Statement);
    for (const url of list(policy.properties.Queues)) {
      const arn = queueArnByUrl.get(String(url));
      if (arn) queueStatements.set(arn, [...(queueStatements.get(arn) ?? []), ...statements]);
    }
  }
  const queuePolicies = new Map(
    [...queueStatements].map(([arn, statements]) => [
      arn,
      parsePolicyDocument(`the queue policy of ${arn}`, { Statement: statements }),
    ]),
  );

  const bucketPolicies = new Map<string, PolicyDocument>();
  for (const policy of byType('AWS::S3::BucketPolicy')) {
    const bucket = String(policy.properties.Bucket ?? '');
    bucketPolicies.set(bucket, parsePolicyDocument(idOf(policy), policy.properties.PolicyDocument));
  }

  const authorizers = new Map<string, string>();
  for (const authorizer of [
    ...byType('AWS::ApiGateway::Authorizer'),
    ...byType('AWS::ApiGatewayV2::Authorizer'),
  ]) {
    const apiId = String(authorizer.properties.RestApiId ?? authorizer.properties.ApiId ?? '');
    const fnArn = functionArnOfUri(authorizer.properties.AuthorizerUri);
    if (fnArn) authorizers.set(`${apiId} ${fnArn}`, authorizer.physicalId);
  }

  return {
    accountId: model.accountId,
    authorizers,
    region: model.region,
    roles,
    functionRoles,
    functionPolicies,
    queuePolicies,
    bucketPolicies,
    unknownManagedPolicies,
  };
}
