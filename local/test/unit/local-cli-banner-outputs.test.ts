import { stackOutputLines } from '../../cli/ready-banner';

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
