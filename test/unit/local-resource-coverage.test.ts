import type { LocalResource } from '../../local/model';
import { notEmulatedResources } from '../../local/resource-coverage';

const resource = (logicalId: string, type: string): LocalResource => ({
  stackName: 'App',
  logicalId,
  type,
  physicalId: logicalId,
  properties: {},
  attributes: {},
});

const resources = [
  resource('Fn', 'AWS::Lambda::Function'),
  resource('Role', 'AWS::IAM::Role'),
  resource('Bucket', 'AWS::S3::Bucket'),
  resource('OtherBucket', 'AWS::S3::Bucket'),
  resource('CDKMetadata', 'AWS::CDK::Metadata'),
];

describe('what the local cloud reports as not emulated', () => {
  it('lists a type no service declares, with every resource of it and no reason', () => {
    expect(
      notEmulatedResources(resources, [{ emulated: ['AWS::Lambda::Function', 'AWS::IAM::Role'] }]),
    ).toEqual([
      { type: 'AWS::S3::Bucket', logicalIds: ['App/Bucket', 'App/OtherBucket'], reason: undefined },
    ]);
  });

  it('leaves out a type as soon as one service emulates it', () => {
    const declarations = [
      { emulated: ['AWS::Lambda::Function', 'AWS::IAM::Role'] },
      { emulated: ['AWS::S3::Bucket'] },
    ];
    expect(notEmulatedResources(resources, declarations)).toEqual([]);
  });

  it("lists a type a service accepts without emulating, with that service's reason", () => {
    const declarations = [
      {
        emulated: ['AWS::Lambda::Function', 'AWS::S3::Bucket'],
        notEmulated: { 'AWS::IAM::Role': 'not enforced' },
      },
    ];
    expect(notEmulatedResources(resources, declarations)).toEqual([
      { type: 'AWS::IAM::Role', logicalIds: ['App/Role'], reason: 'not enforced' },
    ]);
  });
});
