import { randomUUID } from 'node:crypto';
import { jsonApiHandler } from '../json-api-server';
import type { LocalService } from '../local-service';
import { loopbackServer } from '../loopback-server';
import type { LocalCloudModel } from '../model';
import type { NotEmulatedResources } from '../resource-coverage';
import { generateSecretString } from './generate-secret';
import { secretsOfTemplate } from './secret-definitions';
import { SecretStore } from './secret-store';
import { secretArn, secretsManagerApi } from './secrets-manager-api';
import { ssmApi } from './ssm-api';

/**
 * Brings the store in line with the template: a new secret or parameter is created (a generated secret is
 * generated now, once); one the template changed the literal value of takes it; everything else — a generated
 * value, a value the app put — is kept (across restarts under `--persist`).
 */
function applyTemplate(store: SecretStore, model: LocalCloudModel): NotEmulatedResources[] {
  const { secrets, parameters, invalid } = secretsOfTemplate(model);
  const now = Date.now() / 1000;
  for (const secret of secrets) {
    const existing = store.secrets.get(secret.name);
    const literal = 'literal' in secret.value ? secret.value.literal : undefined;
    if (existing) {
      if (literal !== undefined && existing.templateValue !== literal) {
        store.putSecretValue(existing, literal);
        existing.templateValue = literal;
      }
      continue;
    }
    store.secrets.set(secret.name, {
      arn: secret.arn,
      name: secret.name,
      ...(secret.description ? { description: secret.description } : {}),
      createdDate: now,
      lastChangedDate: now,
      versionId: randomUUID(),
      value: 'literal' in secret.value ? secret.value.literal : generateSecretString(secret.value.generate),
      fromTemplate: true,
      ...(literal === undefined ? {} : { templateValue: literal }),
    });
  }
  for (const parameter of parameters) {
    const existing = store.parameters.get(parameter.name);
    if (existing && existing.templateValue === parameter.value) continue;
    store.parameters.set(parameter.name, {
      name: parameter.name,
      type: parameter.type,
      value: parameter.value,
      version: (existing?.version ?? 0) + 1,
      lastModifiedDate: now,
      templateValue: parameter.value,
      ...(parameter.description ? { description: parameter.description } : {}),
    });
  }
  store.save();
  return invalid.map(({ type, id, reason }) => ({ type, logicalIds: [id], reason }));
}

/**
 * Secrets Manager and SSM Parameter Store on one local endpoint (`AWS_ENDPOINT_URL_SECRETS_MANAGER` and
 * `AWS_ENDPOINT_URL_SSM` both name it): the template's secrets (`SecretString`, or `GenerateSecretString`
 * generated once and kept under `--persist`) and parameters, and what the app creates or puts. No encryption
 * (KMS keys are accepted), no rotation, no resource policies, no SecretBinary.
 */
export function secretsService(): LocalService {
  return {
    name: 'secrets',
    resourceTypes: {
      emulated: ['AWS::SecretsManager::Secret', 'AWS::SSM::Parameter'],
      notEmulated: {
        'AWS::SecretsManager::RotationSchedule': 'secrets are not rotated locally',
        'AWS::SecretsManager::ResourcePolicy':
          'resource policies are accepted but not enforced (no IAM locally)',
        'AWS::SecretsManager::SecretTargetAttachment': 'accepted: the attached database is not emulated',
      },
    },
    async bind(context) {
      const store = new SecretStore(context.dataDir);
      let model: LocalCloudModel | undefined;
      const region = () => model?.region ?? context.region;
      const account = () => model?.accountId ?? '000000000000';
      const server = loopbackServer((req, res) => {
        jsonApiHandler({
          secretsmanager: secretsManagerApi(store, (name) => secretArn(region(), account(), name)),
          AmazonSSM: ssmApi(
            store,
            (name) => `arn:aws:ssm:${region()}:${account()}:parameter/${name.replace(/^\//, '')}`,
          ),
        })(req, res).catch((error: unknown) => {
          context.log(`internal error: ${String(error)}`);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ __type: 'InternalServiceError', message: 'internal error' }));
        });
      });
      const endpoint = await server.listen(context.servicePort(0));
      return {
        functionEnv: { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint, AWS_ENDPOINT_URL_SSM: endpoint },
        async start(started) {
          model = started.model;
          const notServed = applyTemplate(store, started.model);
          return {
            endpoints: [
              { kind: 'Secrets Manager', name: 'secrets', url: endpoint },
              { kind: 'SSM Parameter Store', name: 'secrets', url: endpoint },
            ],
            notServed,
            reload: async (next) => {
              model = next.model;
              applyTemplate(store, next.model);
              return { changed: ['secrets and parameters re-read'] };
            },
          };
        },
        close: () => server.close(),
      };
    },
  };
}
