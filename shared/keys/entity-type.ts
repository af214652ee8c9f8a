/**
 * The attribute every stream-relevant item names its entity with, so a stream consumer's filter (infra) and its
 * decoder (services) select entities by one stored value rather than by key shapes that differ per entity.
 * Writers set it through their codec or repository; the broadcaster's filter passes `order` and `job` items.
 */
export const ENTITY_ATTRIBUTE = 'entity';

/** The entity names stored in {@link ENTITY_ATTRIBUTE}. */
export const ENTITY_TYPES = {
  order: 'order',
  job: 'job',
  connection: 'connection',
} as const;

export type EntityType = (typeof ENTITY_TYPES)[keyof typeof ENTITY_TYPES];
