import { appTemplates } from './app';

/*
 * Two stages in one account (two workshop attendees, say): every name AWS requires to be unique in an account and
 * region — or, for a Cognito domain, in the world — derives from the stage, so `-c stage=alice` and `-c stage=bob`
 * deploy side by side.
 */

/** Properties that name a resource uniquely in an account (and region), by resource type. */
const UNIQUE_NAMES: Readonly<Record<string, readonly string[]>> = {
  'AWS::DynamoDB::Table': ['TableName'],
  'AWS::SQS::Queue': ['QueueName'],
  'AWS::Lambda::Function': ['FunctionName'],
  'AWS::IAM::Role': ['RoleName'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::Logs::QueryDefinition': ['Name'],
  'AWS::CloudWatch::Dashboard': ['DashboardName'],
  'AWS::CloudWatch::Alarm': ['AlarmName'],
  'AWS::CloudWatch::InsightRule': ['RuleName'],
  'AWS::Cognito::UserPoolDomain': ['Domain'],
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::SNS::Topic': ['TopicName'],
  'AWS::WAFv2::WebACL': ['Name'],
  'AWS::ApiGateway::UsagePlan': ['UsagePlanName'],
  'AWS::CodeDeploy::Application': ['ApplicationName'],
};

/** Every explicit unique name of a stage's two templates, rendered so a token of the stage's own shows as text. */
function uniqueNames(stage: string): string[] {
  const { statefulTemplate, statelessTemplate } = appTemplates(stage);
  const names: string[] = [];
  for (const template of [statefulTemplate, statelessTemplate]) {
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    for (const resource of Object.values(resources)) {
      for (const key of UNIQUE_NAMES[resource.Type] ?? []) {
        const value = resource.Properties?.[key];
        if (value !== undefined) names.push(`${resource.Type} ${key} ${JSON.stringify(value)}`);
      }
    }
  }
  return names;
}

describe('two stages side by side in one account', () => {
  it('names nothing the same: every explicit unique name carries the stage', () => {
    const sandbox = uniqueNames('sandbox');
    const alice = uniqueNames('alice');

    expect(sandbox.length).toBeGreaterThan(3);
    expect(alice.filter((name) => sandbox.includes(name))).toEqual([]);
  });

  it('builds a named stage on the sandbox profile: the same resources as the sandbox', () => {
    const types = (stage: string) => {
      const { statefulTemplate, statelessTemplate } = appTemplates(stage);
      return [statefulTemplate, statelessTemplate]
        .flatMap((template) => Object.values(template.toJSON().Resources as Record<string, { Type: string }>))
        .map((resource) => resource.Type)
        .sort();
    };
    expect(types('alice')).toEqual(types('sandbox'));
  });
});
