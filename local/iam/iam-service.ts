import type { LocalService, ResourceTypeSupport } from '../local-service';
import type { LocalCloudModel } from '../model';
import type { IamAuthority, IamMode } from './call-authority';
import { createStsServer } from './sts-server';

/** The policy-bearing types IAM evaluates: roles and their policies, function permissions, queue and bucket policies. */
const POLICY_TYPES = [
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Lambda::Permission',
  'AWS::SQS::QueuePolicy',
  'AWS::S3::BucketPolicy',
] as const;

/** What each policy type means under `--iam off` (nothing is checked) and `--iam warn` (checked, let through). */
const UNENFORCED: Readonly<Record<IamMode, string | undefined>> = {
  enforce: undefined,
  warn: 'evaluated, not enforced (--iam warn): what AWS would refuse is logged and let through',
  off: 'accepted, not enforced (--iam off): a caller may do locally what IAM forbids in AWS',
};

function resourceTypesFor(mode: IamMode): ResourceTypeSupport {
  const reason = UNENFORCED[mode];
  if (reason === undefined) return { emulated: [...POLICY_TYPES] };
  return { emulated: [], notEmulated: Object.fromEntries(POLICY_TYPES.map((type) => [type, reason])) };
}

/**
 * A start notice per AWS managed policy whose statements the local cloud does not know (it grants nothing here),
 * for the roles a local caller can act as: a function's, or one whose trust policy names an AWS principal. A role
 * only a service assumes (CodeDeploy's, say) never calls the local services, so its policies do not matter here.
 */
function unknownPolicyNotices(authority: IamAuthority): string[] {
  const model = authority.iamModel;
  if (authority.mode === 'off' || model === undefined) return [];
  const functionRoles = new Set(model.functionRoles.values());
  const usedLocally = (roleArn: string) =>
    functionRoles.has(roleArn) ||
    (model.roles.get(roleArn)?.trustPolicy.statements ?? []).some(
      (s) => s.principal === '*' || (s.principal !== undefined && s.principal.aws.length > 0),
    );
  return [...model.unknownManagedPolicies].flatMap(([arn, roleArns]) => {
    const roles = roleArns.filter(usedLocally).map((roleArn) => model.roles.get(roleArn)?.id ?? roleArn);
    return roles.length === 0
      ? []
      : [
          `managed policy ${arn} (attached to ${roles.join(', ')}) is not known locally: it grants nothing here, so calls it would allow in AWS are refused`,
        ];
  });
}

/** The function ARN an event-source mapping's `FunctionName` names (a name, an ARN, maybe qualified). */
function mappingFunctionArn(value: unknown, region: string, accountId: string): string {
  const text = String(value ?? '');
  return text.startsWith('arn:') ? text : `arn:aws:lambda:${region}:${accountId}:function:${text}`;
}

/**
 * A notice per event-source mapping whose function's role lacks what Lambda checks when it creates the mapping
 * (CloudFormation would fail the deployment): the mapping still runs locally, so the rest of the app can be tried.
 */
function eventSourceNotices(authority: IamAuthority, model: LocalCloudModel): string[] {
  return model.resources
    .filter((r) => r.type === 'AWS::Lambda::EventSourceMapping')
    .flatMap((mapping) => {
      const functionArn = mappingFunctionArn(mapping.properties.FunctionName, model.region, model.accountId);
      const source = String(mapping.properties.EventSourceArn ?? '');
      const refusals = authority.eventSourceRefusals(functionArn, source);
      return refusals.length === 0
        ? []
        : [
            `event source ${mapping.stackName}/${mapping.logicalId}: the function's role is not allowed ${refusals.map((r) => r.action).join(', ')} on ${source}: AWS would refuse to create this mapping (it is polled locally all the same)`,
          ];
    });
}

/**
 * IAM and STS: gives the shared {@link IamAuthority} every template (so the other services evaluate each call
 * against the template's roles and policies) and serves STS (`AssumeRole`, `GetCallerIdentity`) at
 * `AWS_ENDPOINT_URL_STS`.
 */
export function iamService(authority: IamAuthority): LocalService {
  return {
    name: 'iam',
    resourceTypes: resourceTypesFor(authority.mode),
    async bind(context) {
      const sts = createStsServer(authority);
      const endpoint = await sts.listen(context.servicePort(0));
      return {
        functionEnv: { AWS_ENDPOINT_URL_STS: endpoint },
        async start({ model }) {
          authority.setModel(model);
          return {
            endpoints: [{ kind: 'STS', name: 'sts', url: endpoint }],
            notices: [...unknownPolicyNotices(authority), ...eventSourceNotices(authority, model)],
            reload: async (next) => {
              authority.setModel(next.model);
              return {
                changed: ['roles, policies and permissions re-read'],
                notices: [...unknownPolicyNotices(authority), ...eventSourceNotices(authority, next.model)],
              };
            },
          };
        },
        close: () => sts.close(),
      };
    },
  };
}
