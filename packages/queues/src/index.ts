export {
  type JobDefinition,
  type JobName,
  type JobPayload,
  jobDefinition,
  QUEUE_NAMES,
  type QueueCatalog,
  type QueueName,
  queueCatalog,
} from './catalog.ts';
export {
  createQueueProducer,
  type EnqueueOptions,
  jobOptionsFor,
  type QueueProducer,
} from './queue-producer.ts';
export { createRedisConnection, deleteKeysWithPrefix, type RedisRole, whenConnected } from './redis-connection.ts';
export { createTenantFairness, MAX_PRIORITY, type TenantFairness } from './tenant-fairness.ts';
