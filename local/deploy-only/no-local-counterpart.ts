/**
 * Common resource types of CDK apps that matter at run time but that no local service emulates, each with
 * what an app notices locally. Declared so the start banner gives the reason instead of "no local service
 * emulates it"; kept apart from the deploy-only types because a function may well use them.
 */
export const NO_LOCAL_COUNTERPART: Readonly<Record<string, string>> = {
  'Custom::CDKBucketDeployment':
    'bucket deployments do not run locally: the files are not copied into the bucket',
  // A CDN in front of an origin: browsers reach it at run time, so it is not deploy-only.
  'AWS::CloudFront::Distribution':
    'no local CDN: read the content from its origin (a bucket at its local S3 URL, an API at its local URL)',
  'AWS::CloudFront::OriginAccessControl': 'no local CDN: the origin is read directly',
  'AWS::CloudFront::ResponseHeadersPolicy': 'no local CDN: these response headers are not added',
  'Custom::AWS':
    'an AwsCustomResource makes its SDK call while CloudFormation deploys; locally the call is not made, so whatever it sets stays unset',
};
