/**
 * Common resource types of CDK apps that matter at run time but that no local service emulates, each with
 * what an app notices locally. Declared so the start banner gives the reason instead of "no local service
 * emulates it"; kept apart from the deploy-only types because a function may well use them.
 */
export const NO_LOCAL_COUNTERPART: Readonly<Record<string, string>> = {
  // A bucket is storage an app's code may read and write (uploads, reports, exports), unlike the alarms.
  'AWS::S3::Bucket':
    'no local S3: objects are not stored, and a function that reads or writes the bucket reaches no local endpoint',
  'AWS::S3::BucketPolicy': 'no local S3 (and no IAM locally): the policy is not enforced',
  'Custom::CDKBucketDeployment': 'no local S3: the files are not copied into the bucket',
  'Custom::AWS':
    'an AwsCustomResource makes its SDK call while CloudFormation deploys; locally the call is not made, so whatever it sets stays unset',
};
