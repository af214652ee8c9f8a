/**
 * Common resource types of CDK apps that matter at run time but that no local service emulates, each with
 * what an app notices locally. Declared so the start banner gives the reason instead of "no local service
 * emulates it"; kept apart from the deploy-only types because a function may well use them.
 */
export const NO_LOCAL_COUNTERPART: Readonly<Record<string, string>> = {
  'Custom::CDKBucketDeployment':
    'bucket deployments do not run locally: the files are not copied into the bucket',
  // Functions read secrets and parameters at run time: missing them changes behaviour, so they are not deploy-only.
  'AWS::SecretsManager::Secret':
    'no local Secrets Manager: a function that reads the secret reaches no local endpoint (pass the value another way to run it locally)',
  'AWS::SSM::Parameter':
    'no local Parameter Store: a function that reads the parameter reaches no local endpoint',
  'Custom::AWS':
    'an AwsCustomResource makes its SDK call while CloudFormation deploys; locally the call is not made, so whatever it sets stays unset',
};
