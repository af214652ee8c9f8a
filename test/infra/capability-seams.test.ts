import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as z from 'zod';
import { ServiceFunction } from '../../infra/service-function';
import { TenantAuthorizer } from '../../infra/tenant-authorizer';
import { TenantRestApi } from '../../infra/tenant-rest-api';
import { authorizerEnvironment } from '../../services/authorizer/environment';
import { catalogEnvironment } from '../../services/catalog/environment';
import { ordersEnvironment } from '../../services/orders/environment';
import { tenantsEnvironment } from '../../services/tenants/environment';
import { appTemplates, buildApp } from './app';

/** A stack of its own (no bundling), for constructs used outside the product's composition. */
function scratchStack() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Scratch', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
  });
  const userPool = new cognito.UserPool(stack, 'Pool');
  return { app, stack, table, userPool };
}

const contract = { TABLE_NAME: z.string(), ISSUER: z.url() };

describe('the environment contract of a function', () => {
  it.each([
    ['authorizer', authorizerEnvironment],
    ['orders', ordersEnvironment],
    ['catalog', catalogEnvironment],
    ['tenants', tenantsEnvironment],
  ])('gives the %s function exactly the variables of its environment.ts', (service, environment) => {
    const functions = appTemplates().statelessTemplate.findResources('AWS::Lambda::Function');
    const fn = Object.values(functions).find(
      (f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
    );
    expect(Object.keys(fn?.Properties.Environment.Variables ?? {}).sort()).toEqual(
      [
        ...Object.keys(environment),
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_SERVICE_NAME',
      ].sort(),
    );
  });

  it('fails synth naming a variable of the contract that was never bound', () => {
    const { app, stack, table } = scratchStack();
    new ServiceFunction(stack, 'Fn', {
      service: 'orders',
      environment: contract,
      description: 'x',
    }).bindTable(table, 'TABLE_NAME', ['dynamodb:GetItem']);
    expect(() => app.synth()).toThrow(
      'orders function: ISSUER of services/orders/environment.ts is not set: bind it',
    );
  });

  it('fails synth naming a variable set behind the contract’s back', () => {
    const { app, stack, table } = scratchStack();
    const fn = new ServiceFunction(stack, 'Fn', {
      service: 'orders',
      environment: contract,
      description: 'x',
    })
      .bindTable(table, 'TABLE_NAME', ['dynamodb:GetItem'])
      .bindValue('ISSUER', 'https://issuer.example.com');
    fn.function.addEnvironment('LEGACY_TABLE', 'old');
    expect(() => app.synth()).toThrow(
      'orders function: LEGACY_TABLE is set but services/orders/environment.ts does not declare it',
    );
  });

  it('only accepts variable names of the contract in bind methods (a compile error otherwise)', () => {
    const { stack } = scratchStack();
    const fn = new ServiceFunction(stack, 'Fn', {
      service: 'orders',
      environment: contract,
      description: 'x',
    });
    // @ts-expect-error ISSUER_URL is not a variable of the contract: renaming one breaks the build.
    fn.bindValue('ISSUER_URL', 'https://issuer.example.com');
    expect(fn.function.node.id).toBe('Function');
  });

  it('grants a bound user pool exactly the listed actions, on that pool only', () => {
    const { stack, userPool } = scratchStack();
    new ServiceFunction(stack, 'Fn', {
      service: 'tenants',
      environment: { USER_POOL_ID: z.string() },
      description: 'x',
    }).bindUserPool(userPool, 'USER_POOL_ID', ['cognito-idp:AdminGetUser']);
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>,
    );
    const cognitoStatements = statements.filter((s) => JSON.stringify(s.Action).includes('cognito-idp'));
    expect(cognitoStatements).toEqual([
      expect.objectContaining({
        Action: 'cognito-idp:AdminGetUser',
        Resource: {
          'Fn::GetAtt': [stack.getLogicalId(userPool.node.defaultChild as cognito.CfnUserPool), 'Arn'],
        },
      }),
    ]);
  });

  it('refuses CORS origins that cannot travel as a comma-separated list', () => {
    const { stack } = scratchStack();
    const fn = new ServiceFunction(stack, 'Fn', {
      service: 'orders',
      environment: { ALLOWED_ORIGINS: z.string() },
      description: 'x',
    });
    expect(() =>
      fn.bindAllowedOrigins(['https://a.example.com,https://b.example.com'], 'ALLOWED_ORIGINS'),
    ).toThrow("'https://a.example.com,https://b.example.com' cannot be sent as a comma-separated list");
  });
});

describe('the tenant authorizer', () => {
  function apiWithAuthorizer() {
    const { app, stack, table, userPool } = scratchStack();
    const api = new TenantRestApi(stack, 'Rest', {
      stageName: 'test',
      allowedOrigins: ['https://app.example.com'],
    });
    const authorizer = new TenantAuthorizer(stack, 'Authorizer', {
      api,
      table,
      userPool,
      userPoolClient: userPool.addClient('Client'),
    });
    const integration = new apigw.MockIntegration();
    return { app, api, authorizer, integration };
  }

  it('fails synth when it grants a route the API does not serve', () => {
    const { app, api, authorizer, integration } = apiWithAuthorizer();
    api.root.addResource('orders').addMethod('GET', integration, authorizer.methodOptions);
    expect(() => app.synth()).toThrow(
      'the authorizer grants admins POST /orders, which no route behind it serves',
    );
  });

  it('fails synth when a route behind it is granted to no role', () => {
    const { app, api, authorizer, integration } = apiWithAuthorizer();
    const orders = api.root.addResource('orders');
    for (const verb of ['GET', 'POST']) orders.addMethod(verb, integration, authorizer.methodOptions);
    const order = orders.addResource('{orderId}');
    for (const verb of ['GET', 'PATCH', 'DELETE'])
      order.addMethod(verb, integration, authorizer.methodOptions);
    const jobs = api.root.addResource('jobs');
    for (const verb of ['GET', 'POST']) jobs.addMethod(verb, integration, authorizer.methodOptions);
    const job = jobs.addResource('{jobId}');
    job.addMethod('GET', integration, authorizer.methodOptions);
    job.addMethod('DELETE', integration, authorizer.methodOptions);
    expect(() => app.synth()).toThrow('DELETE /jobs/* is behind the authorizer but no role is granted it');
  });

  it('sees in the product exactly the orders, jobs, events, partner-clients, users, usage and audit routes it grants', () => {
    const { stateless } = buildApp();
    const authorizer = stateless.node.findChild('Authorizer') as TenantAuthorizer;
    expect(authorizer.guardedRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [
        'DELETE orders/*',
        'GET orders',
        'GET orders/*',
        'GET orders/*/invoice',
        'PATCH orders/*',
        'POST orders',
        'GET jobs',
        'GET jobs/*',
        'GET jobs/*/result',
        'POST jobs',
        'POST events',
        'GET partner-clients',
        'POST partner-clients',
        'GET users',
        'POST users',
        'GET users/*',
        'PATCH users/*',
        'DELETE users/*',
        'GET usage',
        'GET audit',
      ].sort(),
    );
  });
});
