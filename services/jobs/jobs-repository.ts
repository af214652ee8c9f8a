import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type ImportCheckpoint,
  JOB_VERSION_ATTRIBUTE,
  type Job,
  type JobStatus,
  jobCodec,
} from '../../shared/codecs/job-codec';
import { decodeItem } from '../../shared/codecs/stored-item';
import { isConditionFailure } from '../../shared/condition-failure';
import { decodeCursor, encodeCursor } from '../../shared/cursor';
import { documentClient } from '../../shared/dynamo';
import { jobKeys } from '../../shared/keys/job-keys';
import { TABLE } from '../../shared/table';
import { type TableClients, tableClients } from '../../shared/table-clients';
import type { ImportChunk } from './import-chunks';

/** One page of a listing; `nextToken` is present while more may follow. */
export interface JobPage {
  readonly items: Job[];
  readonly nextToken?: string;
}

/** A status change, applied only while the job is in one of `from`. */
export interface JobTransition {
  readonly to: JobStatus;
  readonly from: readonly JobStatus[];
  readonly now: string;
  readonly progress?: Job['progress'];
  readonly result?: Record<string, unknown>;
  readonly error?: NonNullable<Job['error']>;
  /** Counts a worker's start. */
  readonly countAttempt?: boolean;
}

const JOB_SK_PREFIX = 'JOB#';

const storedChunk = z.object({ offset: z.int().min(0), orders: z.array(z.unknown()) });

/**
 * All DynamoDB access for jobs, shared by the jobs API (which creates them) and the worker (which runs them).
 * Every key comes from shared/keys/job-keys, so every read and write is inside one tenant's partitions.
 */
export function createJobsRepository(
  tableName: string,
  clients: DynamoDBDocumentClient | TableClients = documentClient,
) {
  const { forTenant } = tableClients(clients);
  /** Sets `values` (and `updatedAt`, a new version) on a job still running; a finished job is left as it is. */
  const setWhileRunning = async (
    tenantId: string,
    jobId: string,
    values: Readonly<Record<string, unknown>>,
    now: string,
  ): Promise<void> => {
    const fields = Object.keys(values);
    try {
      await forTenant(tenantId).send(
        new UpdateCommand({
          TableName: tableName,
          Key: jobKeys.job(tenantId, jobId),
          UpdateExpression: `SET ${fields.map((field) => `#${field} = :${field}, `).join('')}#updatedAt = :now, #version = if_not_exists(#version, :noVersion) + :versionStep`,
          ConditionExpression: '#status = :running',
          ExpressionAttributeNames: {
            ...Object.fromEntries(fields.map((field) => [`#${field}`, field])),
            '#updatedAt': 'updatedAt',
            '#status': 'status',
            '#version': JOB_VERSION_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(fields.map((field) => [`:${field}`, values[field]])),
            ':now': now,
            ':running': 'running',
            ':noVersion': 0,
            ':versionStep': 1,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  };

  return {
    /** Stores an import's input; written before the job item, so a job never points at missing input. */
    async putInputChunks(
      tenantId: string,
      jobId: string,
      chunks: readonly ImportChunk[],
      expiresAtEpochSeconds: number,
    ): Promise<void> {
      for (const [index, chunk] of chunks.entries()) {
        await forTenant(tenantId).send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...jobKeys.inputChunk(tenantId, jobId, index),
              offset: chunk.offset,
              orders: chunk.orders,
              [TABLE.ttlAttribute]: expiresAtEpochSeconds,
            },
          }),
        );
      }
    },

    /** The input chunks of an import, in order. */
    async readInputChunks(tenantId: string, jobId: string): Promise<ImportChunk[]> {
      const chunks: ImportChunk[] = [];
      const pages = paginateQuery(
        { client: forTenant(tenantId) },
        {
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': jobKeys.inputPartition(tenantId, jobId) },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) chunks.push(decodeItem('job input chunk', storedChunk, item));
      }
      return chunks;
    },

    /**
     * Writes a new job; the condition makes sure an existing job is never overwritten. False when the job
     * already exists (a retried request derives the same id).
     */
    async putNewJob(tenantId: string, job: Job): Promise<boolean> {
      try {
        await forTenant(tenantId).send(
          new PutCommand({
            TableName: tableName,
            Item: jobCodec.toItem(tenantId, job),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async getJob(tenantId: string, jobId: string): Promise<Job | undefined> {
      const { Item } = await forTenant(tenantId).send(
        new GetCommand({ TableName: tableName, Key: jobKeys.job(tenantId, jobId), ConsistentRead: true }),
      );
      return Item ? jobCodec.fromItem(Item) : undefined;
    },

    /**
     * One page of the tenant's jobs, newest first, optionally only those in `status` (via GSI1). The token is
     * only accepted for the same tenant and the same kind of listing.
     */
    async listJobs(
      tenantId: string,
      options: { readonly limit: number; readonly status?: JobStatus; readonly nextToken?: string },
    ): Promise<JobPage> {
      const partition = jobKeys.partition(tenantId);
      const { status } = options;
      const exclusiveStartKey =
        status === undefined
          ? decodeCursor(options.nextToken, { [TABLE.partitionKey]: partition }, [TABLE.sortKey])
          : decodeCursor(
              options.nextToken,
              {
                [TABLE.gsi1.partitionKey]: jobKeys.statusPartition(tenantId, status),
                [TABLE.partitionKey]: partition,
              },
              [TABLE.gsi1.sortKey, TABLE.sortKey],
            );
      const result = await forTenant(tenantId).send(
        new QueryCommand({
          TableName: tableName,
          ...(status === undefined ? {} : { IndexName: TABLE.gsi1.name }),
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames:
            status === undefined
              ? { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey }
              : { '#pk': TABLE.gsi1.partitionKey, '#sk': TABLE.gsi1.sortKey },
          ExpressionAttributeValues: {
            ':pk': status === undefined ? partition : jobKeys.statusPartition(tenantId, status),
            ':prefix': JOB_SK_PREFIX,
          },
          ScanIndexForward: false,
          Limit: options.limit,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      const nextToken = encodeCursor(result.LastEvaluatedKey);
      return { items: (result.Items ?? []).map(jobCodec.fromItem), ...(nextToken ? { nextToken } : {}) };
    },

    /**
     * Moves the job to `change.to` if it is still in one of `change.from`, with the status index moved along.
     * Returns the updated job, or `undefined` when the job is missing or already elsewhere (someone else moved it).
     */
    async transition(tenantId: string, jobId: string, change: JobTransition): Promise<Job | undefined> {
      const names: Record<string, string> = {
        '#pk': TABLE.partitionKey,
        '#status': 'status',
        '#gsi1pk': TABLE.gsi1.partitionKey,
        '#updatedAt': 'updatedAt',
      };
      const values: Record<string, unknown> = {
        ':to': change.to,
        ':gsi1pk': jobKeys.statusPartition(tenantId, change.to),
        ':now': change.now,
      };
      const set = [
        '#status = :to',
        '#gsi1pk = :gsi1pk',
        '#updatedAt = :now',
        '#version = if_not_exists(#version, :noVersion) + :versionStep',
      ];
      names['#version'] = JOB_VERSION_ATTRIBUTE;
      values[':noVersion'] = 0;
      values[':versionStep'] = 1;
      const fields = { progress: change.progress, result: change.result, error: change.error };
      for (const [name, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        names[`#${name}`] = name;
        values[`:${name}`] = value;
        set.push(`#${name} = :${name}`);
      }
      if (change.countAttempt) {
        names['#attempts'] = 'attempts';
        values[':one'] = 1;
        set.push('#attempts = #attempts + :one');
      }
      const froms = change.from.map((from, i) => {
        values[`:from${i}`] = from;
        return `:from${i}`;
      });
      try {
        const { Attributes } = await forTenant(tenantId).send(
          new UpdateCommand({
            TableName: tableName,
            Key: jobKeys.job(tenantId, jobId),
            UpdateExpression: `SET ${set.join(', ')}`,
            ConditionExpression: `attribute_exists(#pk) AND #status IN (${froms.join(', ')})`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (!Attributes) throw new Error('UpdateItem returned no attributes');
        return jobCodec.fromItem(Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    /**
     * Records where a running upload import stands (its checkpoint, and progress in bytes), so a follow-up
     * delivery continues from there. A finished job's is never rewritten.
     */
    async recordCheckpoint(
      tenantId: string,
      jobId: string,
      checkpoint: ImportCheckpoint,
      progress: Job['progress'],
      now: string,
    ): Promise<void> {
      await setWhileRunning(tenantId, jobId, { checkpoint, progress }, now);
    },

    /** Records progress of a running job (a finished job's progress is never rewritten). */
    async recordProgress(
      tenantId: string,
      jobId: string,
      progress: Job['progress'],
      now: string,
    ): Promise<void> {
      await setWhileRunning(tenantId, jobId, { progress }, now);
    },
  };
}

/** The jobs repository bound to a table. */
export type JobsRepository = ReturnType<typeof createJobsRepository>;
