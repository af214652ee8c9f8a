import { type PolicyDocument, parsePolicyDocument } from './policy-document';

const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];
const XRAY = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
];
const allow = (...actions: string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
});

/**
 * The AWS managed policies CDK apps attach most (by the part of the ARN after `:iam::aws:policy/`), with the
 * statements AWS publishes for them (their current default versions). A managed policy not listed here grants
 * nothing locally: its calls are refused (or logged under `--iam warn`) and it is named at start, rather than
 * guessing what it allows.
 */
const MANAGED_POLICIES: Readonly<Record<string, unknown>> = {
  AdministratorAccess: allow('*'),
  'service-role/AWSLambdaBasicExecutionRole': allow(...LOGS),
  'service-role/AWSLambdaVPCAccessExecutionRole': allow(
    ...LOGS,
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSubnets',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
  ),
  'service-role/AWSLambdaSQSQueueExecutionRole': allow(
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    ...LOGS,
  ),
  'service-role/AWSLambdaDynamoDBExecutionRole': allow(
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:ListStreams',
    ...LOGS,
  ),
  'service-role/AWSLambdaKinesisExecutionRole': allow(
    'kinesis:DescribeStream',
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
    'kinesis:ListStreams',
    'kinesis:SubscribeToShard',
    ...LOGS,
  ),
  'service-role/AmazonAPIGatewayPushToCloudWatchLogs': allow(
    'logs:CreateLogGroup',
    'logs:CreateLogStream',
    'logs:DescribeLogGroups',
    'logs:DescribeLogStreams',
    'logs:PutLogEvents',
    'logs:GetLogEvents',
    'logs:FilterLogEvents',
  ),
  AWSXRayDaemonWriteAccess: allow(...XRAY),
  AWSXrayWriteOnlyAccess: allow(...XRAY),
  CloudWatchLambdaInsightsExecutionRolePolicy: allow(
    'logs:CreateLogGroup',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ),
};

/** The AWS managed policy an ARN names, or undefined for a customer policy or one this table lacks. */
export function awsManagedPolicy(arn: string): PolicyDocument | undefined {
  const name = /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
  if (name === undefined) return undefined;
  const document = MANAGED_POLICIES[name];
  return document === undefined ? undefined : parsePolicyDocument(`AWS managed policy ${name}`, document);
}
