/**
 * Keys of the tracking pointer: one global item per tracking id, written with its order, pointing at the
 * tenant and order. It lets the public tracking route find an order with one GetItem, no scan and no index.
 */
export const trackingKeys = {
  pointer: (trackingId: string) => ({ PK: `TRACKING#${trackingId}`, SK: 'TRACKING' }),
  /** The partition every pointer lives under, for IAM's `dynamodb:LeadingKeys`. */
  leadingKeyPattern: 'TRACKING#*',
};
