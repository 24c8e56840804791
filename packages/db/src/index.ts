export { createDatabase, type DatabaseOptions, type Db } from './create-database.ts';
export { type MigrationOutcome, migrateToLatest } from './migrate.ts';
export {
  findConnection,
  insertConnection,
  listConnectionEvents,
  listConnections,
  recordConnectionEvent,
} from './repositories/connections.repository.ts';
export {
  consumeOAuthState,
  deleteExpiredOAuthStates,
  insertOAuthState,
} from './repositories/oauth-states.repository.ts';
export { findActiveOperator, upsertOperator } from './repositories/operators.repository.ts';
export { createTenant, findTenant } from './repositories/tenants.repository.ts';
export * from './schema.ts';
