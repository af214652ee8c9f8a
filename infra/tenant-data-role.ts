import { Lazy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TABLE } from '../shared/table';
import { TENANT_FILES } from '../shared/tenant-files';
import { TENANT_SESSION_TAG } from '../shared/tenant-session';
import { cdkNagReference } from './service-function';

/** The policy variable of the session's tenant, as the role's policy reads it. */
const TENANT = `\${aws:PrincipalTag/${TENANT_SESSION_TAG}}`;

/** What a tenant session may do in the table: no Scan, no Delete, no batch write (those are operator work). */
export const TENANT_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;

/**
 * The partitions of a tenant (after its `TENANT#<id>#` prefix) whose items a tenant session may also delete: only
 * its WebSocket connections (shared/keys/connection-keys.ts), which end. Orders, jobs, users are never deleted
 * by a tenant's request (cancelling is an update, a user's deletion leaves a tombstone).
 */
export const TENANT_DELETABLE_PARTITIONS = ['CONNECTIONS'] as const;

/** What a tenant session may do with its files, by kind (`tenants/<its tenant>/<kind>/*`). */
export const TENANT_FILE_GRANTS = [
  { action: 's3:GetObject', kind: 'uploads' },
  { action: 's3:PutObject', kind: 'reports' },
] as const;

/** What the role is confined to. */
export interface TenantDataRoleProps {
  /** The single table: a session may only touch partitions (and GSI1 partitions) under `TENANT#<its tenant>#`. */
  readonly table: dynamodb.ITable;
  /** Tenant files: a session may only read `tenants/<its tenant>/uploads/` and write `…/reports/`. */
  readonly files: s3.IBucket;
}

/**
 * The role every function assumes for one tenant at a time (STS AssumeRole with a `tenantId` session tag; see
 * shared/tenant-credentials.ts). Its policy reads the tag, so a session of tenant A is refused by IAM any key of
 * tenant B, however the code built it. It trusts exactly the function roles bound to it (`trust`), for
 * `sts:AssumeRole` and `sts:TagSession`.
 */
export class TenantDataRole extends Construct {
  readonly role: iam.Role;
  private readonly trusted: iam.IRole[] = [];

  constructor(scope: Construct, id: string, props: TenantDataRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      // Replaced below by a trust policy naming the bound function roles; a Role needs some principal to start.
      assumedBy: new iam.AccountRootPrincipal(),
      description:
        "One tenant's data, for the session tagged with its tenantId: its table partitions and its files",
    });
    const cfn = this.role.node.defaultChild as iam.CfnRole;
    cfn.assumeRolePolicyDocument = Lazy.any({
      produce: () =>
        new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['sts:AssumeRole', 'sts:TagSession'],
              principals: this.trusted.map((role) => new iam.ArnPrincipal(role.roleArn)),
            }),
          ],
        }),
    });
    this.node.addValidation({
      validate: () =>
        this.trusted.length === 0 ? ['TenantDataRole: no function is bound to it (bindTenantData)'] : [],
    });

    const { table, files } = props;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...TENANT_TABLE_ACTIONS],
        resources: [table.tableArn, `${table.tableArn}/index/${TABLE.gsi1.name}`],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`TENANT#${TENANT}#*`] },
        },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': TENANT_DELETABLE_PARTITIONS.map(
              (partition) => `TENANT#${TENANT}#${partition}`,
            ),
          },
        },
      }),
    );
    // The tenant's profile (status, tier) is under its prefix but is the operators' record: a tenant session may
    // not write it, or a handler bug could reactivate a suspended tenant or change its tier.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: {
          'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`TENANT#${TENANT}#PROFILE`] },
        },
      }),
    );
    // Of its files, a session reads the uploads and writes the reports (what the worker does for a job); the
    // offboarding export and the signing of links stay with the functions' own roles.
    const filePatterns = TENANT_FILE_GRANTS.map(({ action, kind }) => {
      const pattern = `${TENANT_FILES.root}${TENANT}/${kind}/*`;
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [action], resources: [files.arnForObjects(pattern)] }),
      );
      return pattern;
    });
    this.node.addValidation({
      validate: () => {
        const arn = cdkNagReference(Stack.of(this).resolve(files.bucketArn));
        for (const pattern of filePatterns) {
          // cdk-nag writes the policy variable `${aws:…}` as `<aws:…>` in the finding id.
          Validations.of(this.role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${arn}/${pattern.replace(/\$\{([^}]+)\}/g, '<$1>')}]`,
            reason: "the session's own tenant prefix only: the tenant comes from the session tag STS set",
          });
        }
        return [];
      },
    });
  }

  /** The role's ARN, which functions get as `TENANT_DATA_ROLE_ARN`. */
  get roleArn(): string {
    return this.role.roleArn;
  }

  /** Lets `functionRole` assume the role with a session tag: in its trust policy and in its own policy. */
  trust(functionRole: iam.IRole): void {
    this.trusted.push(functionRole);
    functionRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [this.role.roleArn],
      }),
    );
  }
}
