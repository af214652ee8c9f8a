import { appTemplates, statementsOfFunction } from './app';

const { statelessTemplate } = appTemplates();

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type Statement = Record<string, unknown>;
const resources = statelessTemplate.toJSON().Resources as Resources;
const actionsOf = (statements: readonly Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])) as string[];

const [roleId, role] = Object.entries(resources).find(
  ([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('TenantDataRole'),
) ?? ['', { Type: '', Properties: {} }];
const rolePolicy = Object.values(resources)
  .filter(
    (r) =>
      r.Type === 'AWS::IAM::Policy' &&
      (r.Properties.Roles as Array<{ Ref: string }>).some((ref) => ref.Ref === roleId),
  )
  .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

/** The role id of the function of `service`. */
function functionRoleId(service: string): string {
  const fn = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      (r.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === service,
  );
  if (!fn) throw new Error(`no function for service ${service}`);
  return (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

const SCOPED = [
  'orders',
  'catalog',
  'jobs',
  'job-worker',
  'users',
  'usage',
  'audit',
  'partner-clients',
  'live-connections',
];
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
const TENANT = '${aws:PrincipalTag/tenantId}';

describe('the tenant data role', () => {
  it('allows table items only under the session tenant prefix, on the table and its GSI1', () => {
    const table = rolePolicy.filter(
      (s) =>
        s.Effect === 'Allow' &&
        actionsOf([s])[0]?.startsWith('dynamodb:') &&
        !actionsOf([s]).includes('dynamodb:DeleteItem'),
    );
    expect(table).toHaveLength(1);
    expect(table[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`TENANT#${TENANT}#*`] },
    });
    expect(actionsOf(table).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(table[0]?.Resource)).toMatch(/\/index\/GSI1"/);
  });

  it("allows deleting only the session tenant's WebSocket connections, on the table only", () => {
    const deletes = rolePolicy.filter(
      (s) => s.Effect === 'Allow' && actionsOf([s]).includes('dynamodb:DeleteItem'),
    );
    expect(deletes).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:DeleteItem',
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`TENANT#${TENANT}#CONNECTIONS`] },
        },
      }),
    ]);
    expect(JSON.stringify(deletes[0]?.Resource)).not.toMatch(/\/index\//);
  });

  it("denies writes to the tenant's own profile, the operators' record", () => {
    const deny = rolePolicy.filter((s) => s.Effect === 'Deny');
    expect(deny).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Condition: {
          'ForAnyValue:StringLike': {
            'dynamodb:LeadingKeys': [`TENANT#${TENANT}#PROFILE`],
          },
        },
      }),
    ]);
  });

  it("allows reading the session tenant's uploads and writing its reports, no other file", () => {
    const files = rolePolicy.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    const byAction = Object.fromEntries(
      files.map((s) => [s.Action, /"(\/[^"]*)"\]\]\}$/.exec(JSON.stringify(s.Resource))?.[1]]),
    );
    expect(byAction).toEqual({
      's3:GetObject': `/tenants/${TENANT}/uploads/*`,
      's3:PutObject': `/tenants/${TENANT}/reports/*`,
    });
  });

  it('is trusted, for AssumeRole with session tags, by exactly the functions bound to it', () => {
    const trust = (role.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]?.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    const principals = JSON.stringify(trust[0]?.Principal);
    for (const service of SCOPED) expect(principals).toContain(functionRoleId(service));
    expect(principals).not.toContain(functionRoleId('tenants'));
  });

  it.each(SCOPED)('is given to the %s function, which may assume it with a session tag', (service) => {
    const assume = statementsOfFunction(statelessTemplate, service).filter((s) =>
      actionsOf([s]).includes('sts:AssumeRole'),
    );
    expect(assume).toEqual([
      expect.objectContaining({
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
      }),
    ]);
  });

  it.each([
    ['orders', ['TRACKING#*']],
    ['catalog', ['TENANT#*#PROFILE']],
    ['job-worker', ['TENANT#*#PROFILE', 'TRACKING#*']],
    ['partner-clients', ['PARTNERCLIENT#*']],
  ])(
    "leaves the %s function's own role only partitions that are not tenant data: %j",
    (service, partitions) => {
      const own = statementsOfFunction(statelessTemplate, service).filter(
        (s) =>
          actionsOf([s]).some((a) => a.startsWith('dynamodb:')) &&
          !JSON.stringify(s.Resource).includes('Idempotency'),
      );
      const leadingKeys = own.map(
        (statement) =>
          (statement.Condition as Record<string, Record<string, string[]>> | undefined)?.[
            'ForAllValues:StringLike'
          ]?.['dynamodb:LeadingKeys'],
      );
      // Every statement is confined (none without the condition), and only to those partitions.
      expect(leadingKeys).not.toContain(undefined);
      expect([...new Set(leadingKeys.flat())].sort()).toEqual([...partitions].sort());
    },
  );

  it.each(['jobs', 'users', 'usage', 'audit', 'live-connections'])(
    "gives the %s function's own role nothing on the table",
    (service) => {
      const own = statementsOfFunction(statelessTemplate, service).filter(
        (s) =>
          actionsOf([s]).some((a) => a.startsWith('dynamodb:')) &&
          !JSON.stringify(s.Resource).includes('Idempotency'),
      );
      expect(own).toEqual([]);
    },
  );

  /** The own role's actions that are not the platform's (logs, X-Ray) nor the tenant data role's AssumeRole. */
  const ownActions = (service: string) =>
    [
      ...new Set(
        actionsOf(statementsOfFunction(statelessTemplate, service)).filter(
          (a) => !/^(logs|xray):/.test(a) && !a.startsWith('sts:'),
        ),
      ),
    ].sort();

  it("leaves the users function's own role only the pool's admin calls and the authorizer-cache flush", () => {
    expect(ownActions('users')).toEqual([
      'apigateway:DELETE',
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminDeleteUser',
      'cognito-idp:AdminDisableUser',
      'cognito-idp:AdminEnableUser',
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminRemoveUserFromGroup',
    ]);
  });

  it("leaves the usage function's own role only reading the usage plans and their records", () => {
    expect(ownActions('usage')).toEqual(['apigateway:GET']);
  });

  it("leaves the audit function's own role nothing but its logs and traces", () => {
    expect(ownActions('audit')).toEqual([]);
  });

  it("leaves the partner-clients function's own role only putting bindings and the pool's client calls", () => {
    expect(ownActions('partner-clients')).toEqual([
      'cognito-idp:CreateUserPoolClient',
      'cognito-idp:DeleteUserPoolClient',
      'dynamodb:PutItem',
    ]);
  });
});
