import { Match } from 'aws-cdk-lib/assertions';
import { appTemplates, statementsOfFunction } from './app';

const { statelessTemplate, statefulTemplate } = appTemplates();

const actionsOf = (statements: Array<Record<string, unknown>>) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])) as string[];
const dynamoStatements = (fn: string) =>
  statementsOfFunction(statelessTemplate, fn).filter((s) =>
    actionsOf([s]).some((a) => a.startsWith('dynamodb:')),
  );

describe('least privilege per function', () => {
  it.each(['authorizer', 'orders', 'catalog', 'tenants'])('%s has no dynamodb:* and no Scan', (fn) => {
    const actions = actionsOf(statementsOfFunction(statelessTemplate, fn));
    expect(actions).not.toContain('dynamodb:*');
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.some((a) => a === '*' || a.endsWith(':*'))).toBe(false);
  });

  it('lets the authorizer only GetItem (the tenant profile)', () => {
    expect(actionsOf(dynamoStatements('authorizer'))).toEqual(['dynamodb:GetItem']);
  });

  it('gives the catalog function no delete and no access to the idempotency table', () => {
    // Its catalog reads and writes go through the tenant data role; its own role only reads tenant statuses.
    const statements = dynamoStatements('catalog');
    expect(actionsOf(statements).sort()).toEqual(['dynamodb:GetItem']);
    expect(JSON.stringify(statements)).not.toMatch(/IdempotencyTable/);
  });

  it('scopes every DynamoDB grant to the stack tables (and their indexes), never "*"', () => {
    for (const fn of ['authorizer', 'orders', 'catalog', 'tenants']) {
      for (const statement of dynamoStatements(fn)) {
        const resources = (
          Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]
        ) as unknown[];
        for (const resource of resources) {
          expect(JSON.stringify(resource)).toMatch(/Table/);
          expect(resource).not.toBe('*');
        }
      }
    }
  });

  it('lets only the tenants function touch Cognito users, and only in the one pool', () => {
    for (const fn of ['authorizer', 'orders', 'catalog']) {
      expect(
        actionsOf(statementsOfFunction(statelessTemplate, fn)).some((a) => a.startsWith('cognito-idp:')),
      ).toBe(false);
    }
    const cognito = statementsOfFunction(statelessTemplate, 'tenants').find((s) =>
      actionsOf([s]).includes('cognito-idp:AdminCreateUser'),
    );
    expect(JSON.stringify(cognito?.Resource)).toMatch(/UserPool/);
  });
});

describe('functions', () => {
  it('run on nodejs24.x, arm64, with active tracing', () => {
    const functions = statelessTemplate.findResources('AWS::Lambda::Function');
    const ours = Object.values(functions).filter(
      (f) =>
        String(f.Properties.Description ?? '').length > 0 &&
        f.Properties.Runtime !== undefined &&
        String(f.Properties.Handler) === 'index.handler',
    );
    expect(ours.length).toBeGreaterThanOrEqual(4);
    for (const fn of ours) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
  });
});

describe('identity', () => {
  it('keeps tenantId and role immutable custom attributes', () => {
    const pool = Object.values(statefulTemplate.findResources('AWS::Cognito::UserPool'))[0]?.Properties;
    const schema = pool?.Schema as Array<{ Name: string; Mutable: boolean }>;
    expect(schema.find((a) => a.Name === 'tenantId')?.Mutable).toBe(false);
    expect(schema.find((a) => a.Name === 'role')?.Mutable).toBe(false);
    expect(pool?.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    expect(pool?.Policies.PasswordPolicy).toMatchObject({ MinimumLength: 12, RequireSymbols: true });
  });

  it('lets the SPA client read but never write the tenant and role attributes, with no secret', () => {
    const client = Object.values(statefulTemplate.findResources('AWS::Cognito::UserPoolClient'))[0]
      ?.Properties;
    expect(client?.GenerateSecret).toBe(false);
    expect(client?.ReadAttributes).toEqual(expect.arrayContaining(['custom:tenantId', 'custom:role']));
    expect(client?.WriteAttributes).not.toContain('custom:tenantId');
    expect(client?.WriteAttributes).not.toContain('custom:role');
  });

  it('has admin and member groups', () => {
    for (const group of ['admin', 'member']) {
      statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
    }
  });
});

describe('data', () => {
  it('keeps point-in-time recovery and a NEW_AND_OLD_IMAGES stream on the table', () => {
    statefulTemplate.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });
});
