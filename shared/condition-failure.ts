/**
 * Whether a DynamoDB write failed its condition (the item exists, the version moved on). Checked by name, so it
 * holds for the low-level and document clients alike and for a fault injected in tests.
 */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
