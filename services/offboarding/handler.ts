import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { documentClient } from '../../shared/dynamo';
import { onFirstInvocation } from '../../shared/lambda-entry';
import { logger } from '../../shared/logger';
import { s3Client } from '../../shared/s3';
import { tracer } from '../../shared/tracer';
import { createApiKeys } from '../tenants/api-keys';
import { type OffboardingConfig, readOffboardingConfig } from './config';
import { createOffboardingJob } from './offboarding-job';

/** The message `DELETE /tenants/{id}` sends: which tenant to offboard. */
export const offboardingMessageSchema = z.object({ tenantId: z.string().min(1) });

/**
 * The offboarding worker, fed by its queue one message at a time. A run that fails throws, so the message comes
 * back and the job resumes where it stopped; after the queue's last delivery it goes to the dead-letter queue and
 * the record stays OFFBOARDING, for an operator to look at.
 */
export function createOffboardingHandler(config: OffboardingConfig) {
  const job = createOffboardingJob({
    tableName: config.TABLE_NAME,
    bucket: config.FILES_BUCKET_NAME,
    userPoolId: config.USER_POOL_ID,
    exportKeptDays: config.FILES_KEPT_DAYS,
    documents: documentClient,
    s3: s3Client,
    idp: tracer.captureAWSv3Client(new CognitoIdentityProviderClient({})),
    deleteApiKey: createApiKeys({
      basic: config.BASIC_USAGE_PLAN_NAME,
      premium: config.PREMIUM_USAGE_PLAN_NAME,
    }).deleteApiKey,
  });
  return async (event: SQSEvent): Promise<void> => {
    for (const record of event.Records) {
      const { tenantId } = offboardingMessageSchema.parse(JSON.parse(record.body));
      logger.appendKeys({ tenantId });
      const tombstone = await job.run(tenantId);
      logger.info('tenant offboarded', { status: tombstone.status, erased: tombstone.erased });
    }
  };
}

/** The Lambda entry point: configured from the environment once per execution environment. */
export const handler = onFirstInvocation(() => createOffboardingHandler(readOffboardingConfig()));
