import { secretReadLines, stackOutputLines } from '../../cli/ready-banner';
import type { LocalResource } from '../../model';

describe('the stack outputs in the ready banner', () => {
  it('prints one `Stack.OutputKey = value` line per output, stack by stack', () => {
    expect(
      stackOutputLines({
        Stateful: { UserPoolId: 'us-east-1_abc', Region: 'us-east-1' },
        Stateless: { RestApiUrl: 'http://127.0.0.1:3000/prod' },
      }),
    ).toEqual([
      'Stateful.UserPoolId = us-east-1_abc',
      'Stateful.Region = us-east-1',
      'Stateless.RestApiUrl = http://127.0.0.1:3000/prod',
    ]);
  });

  it('caps a long list and says how many more the outputs file holds', () => {
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`Key${index}`, `v${index}`]));
    expect(stackOutputLines({ S: many }, 3)).toEqual([
      'S.Key0 = v0',
      'S.Key1 = v1',
      'S.Key2 = v2',
      '… 2 more in --outputs-file',
    ]);
    expect(stackOutputLines({ S: many }, 5)).toHaveLength(5);
  });

  it('leaves out CDK’s cross-stack exports, which the outputs file still holds', () => {
    expect(
      stackOutputLines({
        Stateful: { TableName: 't', ExportsOutputRefTableCD117FA1D18A8047: 't' },
      }),
    ).toEqual(['Stateful.TableName = t']);
  });
});

describe('the secrets lines of the ready banner', () => {
  const resource = (type: string, physicalId: string): LocalResource => ({
    stackName: 'S',
    logicalId: 'R',
    type,
    physicalId,
    properties: {},
    attributes: {},
  });

  it('shows how to read a secret (by name) and a parameter with the AWS CLI once the SDK env is evaluated', () => {
    const model = {
      region: 'us-east-1',
      accountId: '123456789012',
      resources: [
        resource(
          'AWS::SecretsManager::Secret',
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/keys-AbC123',
        ),
        resource('AWS::SSM::Parameter', '/app/greeting'),
      ],
    };
    expect(secretReadLines({ model })).toEqual([
      "aws secretsmanager get-secret-value --secret-id 'app/keys'",
      "aws ssm get-parameter --name '/app/greeting'",
    ]);
  });

  it('shows nothing for an app without secrets or parameters', () => {
    expect(secretReadLines({ model: { region: 'us-east-1', accountId: '1', resources: [] } })).toEqual([]);
  });
});
