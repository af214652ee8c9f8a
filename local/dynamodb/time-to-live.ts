import { dynamoError, jsonAnswer, validationError } from './dynamodb-errors';
import type { FrontOperation } from './dynamodb-front';

/**
 * UpdateTimeToLive and DescribeTimeToLive, which dynalite lacks (it always describes TTL as disabled): the
 * setting is kept per table and described back, so code that configures TTL at run time works. Items are
 * never deleted when they expire (TTL deletion is not emulated), and a template's `TimeToLiveSpecification`
 * is not read.
 */
export function timeToLive(): { update: FrontOperation; describe: FrontOperation } {
  const settings = new Map<string, { readonly AttributeName: string; readonly Enabled: boolean }>();
  const tableExists = async (front: Parameters<FrontOperation>[0], tableName: string) =>
    (await front.engine.call('DescribeTable', { TableName: tableName })).status === 200;
  return {
    async update(front, input) {
      const tableName = String(input.TableName ?? '');
      const spec = input.TimeToLiveSpecification as
        | { AttributeName?: unknown; Enabled?: unknown }
        | undefined;
      if (typeof spec?.AttributeName !== 'string' || typeof spec.Enabled !== 'boolean')
        return validationError(
          "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null",
        );
      if (!(await tableExists(front, tableName)))
        return dynamoError('ResourceNotFoundException', 'Requested resource not found');
      const current = settings.get(tableName);
      if (current?.Enabled === spec.Enabled)
        return validationError(`TimeToLive is already ${spec.Enabled ? 'enabled' : 'disabled'}`);
      const setting = { AttributeName: spec.AttributeName, Enabled: spec.Enabled };
      settings.set(tableName, setting);
      return jsonAnswer(200, { TimeToLiveSpecification: setting });
    },
    async describe(front, input) {
      const tableName = String(input.TableName ?? '');
      if (!(await tableExists(front, tableName)))
        return dynamoError(
          'ResourceNotFoundException',
          `Requested resource not found: Table: ${tableName} not found`,
        );
      const setting = settings.get(tableName);
      return jsonAnswer(200, {
        TimeToLiveDescription: setting?.Enabled
          ? { TimeToLiveStatus: 'ENABLED', AttributeName: setting.AttributeName }
          : { TimeToLiveStatus: 'DISABLED' },
      });
    },
  };
}
