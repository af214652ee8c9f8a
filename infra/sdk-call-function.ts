import { Stack, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** The construct id of CDK's singleton function behind every `AwsCustomResource` of a stack. */
const SDK_CALL_FUNCTION_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * Acknowledges the cdk-nag findings on CDK's own SDK-call function, which every `cr.AwsCustomResource` of the stack
 * shares and only CloudFormation invokes. Call it after creating one (the function exists from then on); calling it
 * again is harmless.
 */
export function acknowledgeSdkCallFunction(scope: Construct): void {
  const singleton = Stack.of(scope).node.tryFindChild(SDK_CALL_FUNCTION_ID);
  if (!singleton) {
    throw new Error(
      'acknowledgeSdkCallFunction: create the AwsCustomResource first, then acknowledge its function',
    );
  }
  for (const [id, reason] of [
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'CDK-provided custom-resource function: logging only',
    ],
    ['Serverless-LambdaDefaultMemorySize', 'CDK-provided custom-resource function, runs once per deployment'],
    ['Serverless-LambdaDLQ', 'invoked synchronously by CloudFormation, which reports failures'],
    ['Serverless-LambdaTracing', 'CDK-provided custom-resource function, runs once per deployment'],
  ] as const) {
    Validations.of(singleton).acknowledge({ id, reason });
  }
}
