/**
 * Resource types that only matter in a real AWS account, by what they are for. Each is something the app
 * would not behave differently without locally: nothing is measured or alerted here, no DNS name points
 * here, nothing deploys in steps. Types a function could use at run time (a bucket, a secret) are not here
 * but in no-local-counterpart.ts; types used either way (a topic, a key) are deploy-only in the deploy-time use
 * only, decided per resource from the template.
 */
import type { DeployOnlyCategory, DeployOnlyType } from '../local-service';
import type { LocalResource } from '../model';
import { givenToAFunction, resourcesNamedBy } from './resource-uses';

const MONITORING: DeployOnlyCategory = {
  name: 'monitoring',
  reason:
    'no local meaning: nothing is measured, alarmed or notified locally (function output goes to the console)',
};
const CUSTOM_DOMAINS: DeployOnlyCategory = {
  name: 'custom domains',
  reason: 'no local meaning: no DNS name points here; every API answers at its local execute-api URL',
};
const DEPLOYMENT: DeployOnlyCategory = {
  name: 'deployment',
  reason:
    'no local meaning: it acts only while CloudFormation deploys, shifts traffic or deletes the stack; locally every function serves its current code',
};
const SYNTHETICS: DeployOnlyCategory = {
  name: 'synthetics',
  reason: 'no local meaning: it probes the deployed endpoints on a schedule; call the local URLs instead',
};
const WAF: DeployOnlyCategory = {
  name: 'web application firewall',
  reason:
    'not applied locally: requests reach the local gateways unfiltered (no managed rules, no rate-based rule)',
};
const ENCRYPTION: DeployOnlyCategory = {
  name: 'encryption at rest',
  reason: 'no local meaning: local data is not encrypted at rest',
};

/** A key no function is given, so it only encrypts other resources at rest. */
function keyAtRest(key: LocalResource, resources: readonly LocalResource[]): boolean {
  return !givenToAFunction(key, resources);
}

const monitoring = (label: string): DeployOnlyType => ({ category: MONITORING, label });
const customDomains = (label: string): DeployOnlyType => ({ category: CUSTOM_DOMAINS, label });
const deployment = (label: string): DeployOnlyType => ({ category: DEPLOYMENT, label });
const waf = (label: string): DeployOnlyType => ({ category: WAF, label });

/** The deploy-only types, each with its category and the label printed at start. */
export const DEPLOY_ONLY_TYPES: Readonly<Record<string, DeployOnlyType>> = {
  'AWS::CloudWatch::Alarm': monitoring('CloudWatch alarm'),
  'AWS::CloudWatch::CompositeAlarm': monitoring('composite alarm'),
  'AWS::CloudWatch::AnomalyDetector': monitoring('anomaly detector'),
  'AWS::CloudWatch::Dashboard': monitoring('dashboard'),
  'AWS::CloudWatch::InsightRule': monitoring('Contributor Insights rule'),
  'AWS::Logs::QueryDefinition': monitoring('Logs Insights query'),
  'AWS::Logs::MetricFilter': monitoring('metric filter'),
  'AWS::Logs::SubscriptionFilter': {
    ...monitoring('log subscription filter'),
    // Shipping logs to a store is monitoring; a function fed by a log filter is app behaviour that won't run.
    only: {
      applies: (filter) => !String(filter.properties.DestinationArn ?? '').includes(':lambda:'),
      otherwise: 'no local log delivery: the function it feeds is never invoked by it',
    },
  },
  'Custom::LogRetention': monitoring('log retention setting'),
  'AWS::ApiGateway::Account': monitoring('API Gateway logging role'),
  'AWS::XRay::Group': monitoring('X-Ray group'),
  'AWS::XRay::SamplingRule': monitoring('X-Ray sampling rule'),
  'AWS::KMS::Key': {
    category: ENCRYPTION,
    label: 'KMS key',
    only: {
      applies: keyAtRest,
      otherwise: 'no local KMS: a function that encrypts or decrypts with it reaches no local endpoint',
    },
  },
  'AWS::KMS::Alias': {
    category: ENCRYPTION,
    label: 'KMS alias',
    only: {
      applies: (alias, resources) =>
        !givenToAFunction(alias, resources) &&
        resourcesNamedBy(alias.properties.TargetKeyId, 'AWS::KMS::Key', resources).every((key) =>
          keyAtRest(key, resources),
        ),
      otherwise: 'no local KMS: a function that encrypts or decrypts with it reaches no local endpoint',
    },
  },

  'AWS::ApiGateway::DomainName': customDomains('REST custom domain'),
  'AWS::ApiGateway::DomainNameV2': customDomains('private custom domain'),
  'AWS::ApiGateway::BasePathMapping': customDomains('base path mapping'),
  'AWS::ApiGateway::BasePathMappingV2': customDomains('base path mapping'),
  'AWS::ApiGatewayV2::DomainName': customDomains('HTTP/WebSocket custom domain'),
  'AWS::ApiGatewayV2::ApiMapping': customDomains('API mapping'),
  'AWS::Route53::HostedZone': customDomains('hosted zone'),
  'AWS::Route53::RecordSet': customDomains('DNS record'),
  'AWS::Route53::RecordSetGroup': customDomains('DNS record group'),
  'AWS::CertificateManager::Certificate': customDomains('certificate'),
  'Custom::CrossAccountZoneDelegation': customDomains('zone delegation'),
  'Custom::DeleteExistingRecordSet': customDomains('record replacement'),

  'AWS::CodeDeploy::Application': deployment('CodeDeploy application'),
  'AWS::CodeDeploy::DeploymentGroup': deployment('CodeDeploy deployment group'),
  'AWS::CodeDeploy::DeploymentConfig': deployment('CodeDeploy deployment config'),
  // Empties a bucket when the stack is deleted, so CloudFormation can delete the bucket too.
  'Custom::S3AutoDeleteObjects': deployment('bucket emptying on stack deletion'),
  'Custom::SyntheticsAutoDeleteUnderlyingResources': deployment('canary clean-up on stack deletion'),

  'AWS::Synthetics::Canary': { category: SYNTHETICS, label: 'Synthetics canary' },
  'AWS::Synthetics::Group': { category: SYNTHETICS, label: 'Synthetics group' },

  'AWS::WAFv2::WebACL': waf('web ACL'),
  'AWS::WAFv2::WebACLAssociation': waf('web ACL association'),
  'AWS::WAFv2::IPSet': waf('IP set'),
  'AWS::WAFv2::RegexPatternSet': waf('regex pattern set'),
  'AWS::WAFv2::RuleGroup': waf('rule group'),
  'AWS::WAFv2::LoggingConfiguration': waf('logging configuration'),
};
