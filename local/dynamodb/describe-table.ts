import { jsonAnswer } from './dynamodb-errors';
import type { FrontOperation } from './dynamodb-front';

/**
 * DescribeTable as DynamoDB answers it for a table with a stream: dynalite knows no streams, so the front adds
 * the table's `StreamSpecification`, `LatestStreamArn` and `LatestStreamLabel` from the template.
 */
export const describeTable: FrontOperation = async (front, input) => {
  const answer = await front.engine.call('DescribeTable', input);
  const table = answer.body.Table as Record<string, unknown> | undefined;
  const stream = front.streamOf(String(input.TableName ?? ''));
  if (answer.status !== 200 || !table || !stream) return answer;
  return jsonAnswer(200, {
    ...answer.body,
    Table: {
      ...table,
      StreamSpecification: { StreamEnabled: true, StreamViewType: stream.viewType },
      LatestStreamArn: stream.streamArn,
      LatestStreamLabel: stream.streamArn.split('/stream/')[1] ?? '',
    },
  });
};
