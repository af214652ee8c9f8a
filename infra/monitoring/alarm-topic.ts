import { ArnFormat, Duration, type IAspect, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import { APP_NAME } from '../../shared/app-name';

export interface AlarmTopicProps {
  /**
   * Who is e-mailed when an alarm changes state (the address confirms the subscription once).
   * @default no subscription: the topic exists, and anyone may subscribe to it later
   */
  readonly email?: string;
}

/**
 * The one SNS topic every alarm notifies: encrypted with a customer key (rotated yearly) that CloudWatch may use,
 * TLS-only, and published to only by this account's CloudWatch alarms. A customer key, not `alias/aws/sns`:
 * the AWS-managed key's policy cannot be changed, so CloudWatch could not encrypt what it publishes, and every
 * alarm notification would be dropped.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const fromThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    this.key = new kms.Key(this, 'Key', {
      description: `${APP_NAME} alarm topic: encrypts alarm notifications at rest`,
      enableKeyRotation: true,
      // The key protects notifications in flight only: nothing stored outlives it, so it goes with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${APP_NAME} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // The TLS-only statement replaces SNS's default policy, so CloudWatch needs an explicit grant to publish.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccountsAlarms,
      }),
    );
    if (props.email !== undefined) {
      const subscription = this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          "an undeliverable alarm e-mail loses nothing: the alarm's state and history stay in CloudWatch and on the dashboard",
      });
    }
  }
}

/**
 * Makes every alarm of the scope it is added to (a stack: the alarms of every capability, the functions' and the
 * canary's included, whoever created them) notify `topic` when it fires and when it recovers. Capabilities
 * never add actions themselves, so no alarm can be left silent and none notifies twice.
 */
export class NotifyOnEveryAlarm implements IAspect {
  private readonly action: actions.SnsAction;
  private readonly visited = new WeakSet<cloudwatch.AlarmBase>();

  constructor(topic: sns.ITopic) {
    this.action = new actions.SnsAction(topic);
  }

  visit(node: IConstruct): void {
    if (!(node instanceof cloudwatch.AlarmBase) || this.visited.has(node)) return;
    this.visited.add(node);
    node.addAlarmAction(this.action);
    node.addOkAction(this.action);
  }
}
