import { randomBytes } from 'node:crypto';
import type { LocalCloudModel } from '../model';
import { type IamModel, iamModelOf, type RoleDefinition } from './iam-model';
import { awsManagedPolicy } from './managed-policies';
import type { PolicyDocument } from './policy-document';
import {
  type AuthorizationRequest,
  accessDeniedMessage,
  type DenialReason,
  evaluate,
  type Principal,
} from './policy-evaluation';
import { derivedCredentials, functionCredentials, type SessionCredentials } from './session-credentials';

/** `enforce`: refuse what AWS would; `warn`: log it and let it through; `off`: check nothing. */
export type IamMode = 'enforce' | 'warn' | 'off';

/** The IAM modes, for option parsing. */
export const IAM_MODES: readonly IamMode[] = ['enforce', 'warn', 'off'];

/** One call a service asks about. */
export interface CallToAuthorize {
  readonly action: string;
  readonly resource: string;
  readonly context?: AuthorizationRequest['context'];
  readonly resourcePolicy?: PolicyDocument;
}

/** A refused call: what to answer, in AWS's words. */
export interface Refusal {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly reason: DenialReason;
  /** `User: <arn> is not authorized to perform: <action> on resource: <arn> because …` */
  readonly message: string;
}

/** A session created by AssumeRole. */
interface AssumedSession {
  readonly principal: Principal;
  readonly credentials: SessionCredentials;
  readonly expiration: Date;
}

const ADMINISTRATOR_POLICY = awsManagedPolicy('arn:aws:iam::aws:policy/AdministratorAccess');

/** Where a call comes from when a service, not a principal with keys, makes it (API Gateway invoking a function). */
export interface ServiceSource {
  /** `apigateway.amazonaws.com` */
  readonly service: string;
  /** `aws:SourceArn`, e.g. `arn:aws:execute-api:<region>:<acct>:<apiId>/<stage>/GET/orders`. */
  readonly sourceArn: string;
}

/**
 * Who signed each call to the emulated services and whether IAM lets it through. Functions sign with their role's
 * session credentials (see session-credentials.ts) and AssumeRole sessions with theirs; every other key (the
 * local credentials tests and tools use, or anyone's own) is the account's administrator, as the emulated services
 * accepted before IAM was enforced. One authority serves every service; the IAM service gives it each template.
 */
export class IamAuthority {
  private model: IamModel | undefined;
  private readonly byAccessKey = new Map<string, Principal>();
  private readonly secrets = new Map<string, string>();
  private readonly sessions = new Map<string, AssumedSession>();
  private administrator: Principal = this.administratorOf('000000000000');

  constructor(
    readonly mode: IamMode,
    private readonly log: (line: string) => void = (line) => process.stderr.write(`[iam] ${line}\n`),
  ) {}

  /** Takes a (re-)loaded template: roles, policies, function roles. Sessions from AssumeRole stay. */
  setModel(model: LocalCloudModel): void {
    this.model = iamModelOf(model);
    this.administrator = this.administratorOf(model.accountId);
    for (const [key, principal] of this.byAccessKey) {
      if (principal.kind === 'assumed-role' && !this.sessions.has(key)) this.byAccessKey.delete(key);
    }
    for (const [functionArn, roleArn] of this.model.functionRoles) {
      const role = this.model.roles.get(roleArn);
      const credentials = functionCredentials(functionArn);
      const functionName = functionArn.split(':')[6] ?? functionArn;
      this.byAccessKey.set(credentials.accessKeyId, this.sessionPrincipal(roleArn, role, functionName, {}));
      this.secrets.set(credentials.accessKeyId, credentials.secretAccessKey);
    }
    for (const [key, session] of this.sessions) {
      const roleArn = session.principal.roleArn ?? '';
      const sessionName = session.principal.arn.split('/').at(-1) ?? '';
      const principal = this.sessionPrincipal(
        roleArn,
        this.model.roles.get(roleArn),
        sessionName,
        session.principal.tags,
      );
      this.sessions.set(key, { ...session, principal });
      this.byAccessKey.set(key, principal);
    }
  }

  /** The template's IAM view (after the IAM service started). */
  get iamModel(): IamModel | undefined {
    return this.model;
  }

  /** The secret of a function's or session's access key, for services that verify SigV4 signatures. */
  secretOf(accessKeyId: string): string | undefined {
    return this.secrets.get(accessKeyId);
  }

  /** The principal an access key belongs to: a function's role session, an AssumeRole session, else the administrator. */
  principalOf(accessKeyId: string | undefined): Principal {
    return (accessKeyId === undefined ? undefined : this.byAccessKey.get(accessKeyId)) ?? this.administrator;
  }

  /** The principal who signed a request: the access key of its SigV4 `Authorization` header (or presigned query). */
  principalOfRequest(headers: Readonly<Record<string, string | string[] | undefined>>, url = ''): Principal {
    const header = headers.authorization;
    const authorization = Array.isArray(header) ? header.at(-1) : header;
    const fromHeader = authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
    const fromQuery = fromHeader ? undefined : /[?&]X-Amz-Credential=([^%/&]+)/.exec(url)?.[1];
    return this.principalOf(fromHeader ?? fromQuery);
  }

  /**
   * Evaluates one call; undefined when it may go ahead. Under `warn` a refusal is logged and undefined returned;
   * under `off` nothing is evaluated.
   */
  authorize(principal: Principal, call: CallToAuthorize): Refusal | undefined {
    if (this.mode === 'off') return undefined;
    const request: AuthorizationRequest = { principal, ...call };
    const decision = evaluate(request);
    if (decision.allowed) return undefined;
    const refusal: Refusal = {
      principal,
      action: call.action,
      resource: call.resource,
      reason: decision.reason,
      message: accessDeniedMessage(request, decision.reason),
    };
    if (this.mode === 'warn') {
      this.log(`AWS would refuse (--iam warn lets it through): ${refusal.message}`);
      return undefined;
    }
    this.log(`refused: ${refusal.message}`);
    return refusal;
  }

  /**
   * Whether IAM lets a principal do something a service only grants as a capability (a stage cache's
   * invalidation): evaluated without a log line; always true unless enforcing.
   */
  allows(principal: Principal, call: CallToAuthorize): boolean {
    return this.mode !== 'enforce' || evaluate({ principal, ...call }).allowed;
  }

  /** Evaluates every call (a batch); the first refusal, or undefined. */
  authorizeAll(principal: Principal, calls: readonly CallToAuthorize[]): Refusal | undefined {
    for (const call of calls) {
      const refusal = this.authorize(principal, call);
      if (refusal) return refusal;
    }
    return undefined;
  }

  /**
   * Whether a service may invoke a function: its resource-based policy (the template's `AWS::Lambda::Permission`s)
   * must allow `lambda:InvokeFunction` to the service principal for the source ARN. Undefined when it may.
   */
  authorizeInvocation(functionArn: string, source: ServiceSource): Refusal | undefined {
    if (this.mode === 'off' || this.model === undefined) return undefined;
    const unqualified = functionArn.split(':').slice(0, 7).join(':');
    const principal: Principal = {
      arn: source.service,
      kind: 'service',
      accountId: this.model.accountId,
      identityPolicies: [],
      tags: {},
    };
    return this.authorize(principal, {
      action: 'lambda:InvokeFunction',
      resource: functionArn,
      context: { 'aws:SourceArn': source.sourceArn, 'aws:SourceAccount': this.model.accountId },
      resourcePolicy: this.model.functionPolicies.get(unqualified) ?? { source: unqualified, statements: [] },
    });
  }

  /**
   * STS AssumeRole: the role's trust policy (and the caller's identity policies, when the trust policy names only
   * the account) must allow `sts:AssumeRole`, and `sts:TagSession` when tags are passed. Resolves to the new
   * session, or the refusal (whose message names the role as the resource).
   */
  assumeRole(
    caller: Principal,
    input: {
      readonly roleArn: string;
      readonly sessionName: string;
      readonly tags: Readonly<Record<string, string>>;
      readonly durationSeconds: number;
    },
  ): { readonly session: AssumedSession } | { readonly refusal: Refusal } | { readonly noSuchRole: true } {
    const role = this.model?.roles.get(input.roleArn);
    if (role === undefined) return { noSuchRole: true };
    const tagKeys = Object.keys(input.tags);
    const context: Record<string, string | readonly string[]> = { 'aws:TagKeys': tagKeys };
    for (const [key, value] of Object.entries(input.tags)) context[`aws:RequestTag/${key}`] = value;
    const actions = tagKeys.length > 0 ? ['sts:AssumeRole', 'sts:TagSession'] : ['sts:AssumeRole'];
    for (const action of actions) {
      const refusal = this.authorize(caller, {
        action,
        resource: role.arn,
        context,
        resourcePolicy: role.trustPolicy,
      });
      if (refusal) return { refusal };
    }
    const credentials = derivedCredentials(`session ${randomBytes(16).toString('hex')}`);
    const principal = this.sessionPrincipal(role.arn, role, input.sessionName, input.tags);
    const session: AssumedSession = {
      principal,
      credentials,
      expiration: new Date(Date.now() + input.durationSeconds * 1000),
    };
    this.sessions.set(credentials.accessKeyId, session);
    this.byAccessKey.set(credentials.accessKeyId, principal);
    this.secrets.set(credentials.accessKeyId, credentials.secretAccessKey);
    return { session };
  }

  /**
   * The calls an event-source mapping's function role must be allowed for Lambda to create the mapping (SQS:
   * receive, delete, get attributes; a DynamoDB stream: describe, get records and shard iterators, list streams),
   * each with the refusal it meets; empty when the role allows them all (or IAM is off).
   */
  eventSourceRefusals(functionArn: string, eventSourceArn: string): Refusal[] {
    const model = this.model;
    if (this.mode === 'off' || model === undefined) return [];
    const roleArn = model.functionRoles.get(functionArn.split(':').slice(0, 7).join(':'));
    if (roleArn === undefined) return [];
    const functionName = functionArn.split(':')[6] ?? functionArn;
    const principal = this.sessionPrincipal(roleArn, model.roles.get(roleArn), functionName, {});
    const service = eventSourceArn.split(':')[2];
    const actions =
      service === 'sqs'
        ? ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']
        : service === 'dynamodb'
          ? [
              'dynamodb:DescribeStream',
              'dynamodb:GetRecords',
              'dynamodb:GetShardIterator',
              'dynamodb:ListStreams',
            ]
          : [];
    return actions.flatMap((action) => {
      const request: AuthorizationRequest = {
        principal,
        action,
        resource: eventSourceArn,
        ...(service === 'sqs' && model.queuePolicies.has(eventSourceArn)
          ? { resourcePolicy: model.queuePolicies.get(eventSourceArn) }
          : {}),
      };
      const decision = evaluate(request);
      return decision.allowed
        ? []
        : [
            {
              principal,
              action,
              resource: eventSourceArn,
              reason: decision.reason,
              message: accessDeniedMessage(request, decision.reason),
            },
          ];
    });
  }

  /** The role id STS names a session with (`AROA…:<session>`). */
  roleIdOf(roleArn: string | undefined): string {
    return `AROA${(roleArn ?? '')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(-17)
      .toUpperCase()}`;
  }

  private sessionPrincipal(
    roleArn: string,
    role: RoleDefinition | undefined,
    sessionName: string,
    sessionTags: Readonly<Record<string, string>>,
  ): Principal {
    const accountId = this.model?.accountId ?? this.administrator.accountId;
    const roleName = role?.name ?? roleArn.split('/').at(-1) ?? roleArn;
    return {
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      kind: 'assumed-role',
      accountId,
      roleArn,
      // A function whose role is not in the template (imported by ARN) has no policies the local cloud can see.
      identityPolicies: role?.policies ?? [],
      tags: { ...(role?.tags ?? {}), ...sessionTags },
    };
  }

  private administratorOf(accountId: string): Principal {
    return {
      arn: `arn:aws:iam::${accountId}:user/local`,
      kind: 'user',
      accountId,
      identityPolicies: ADMINISTRATOR_POLICY ? [ADMINISTRATOR_POLICY] : [],
      tags: {},
    };
  }
}
