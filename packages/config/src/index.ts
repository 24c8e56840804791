export {
  backfillConfigSchema,
  type GatewayConfig,
  gatewayConfigSchema,
  type LauncherConfig,
  launcherConfigSchema,
  type MigrateConfig,
  migrateConfigSchema,
  type ResealConfig,
  resealConfigSchema,
  type SimulatorConfig,
  simulatorConfigSchema,
  type WorkerConfig,
  workerConfigSchema,
} from './app-configs.ts';
export { DEV_ENCRYPTION_KEYS, DEV_OAUTH_STATE_SECRET, DEV_OPERATOR_TOKEN, DEV_TENANT_API_KEY } from './dev-defaults.ts';
export { devDefaultsAllowedOnPublicUrl, isLoopbackUrl } from './dev-defaults-guard.ts';
export {
  DEFAULT_RATE_LIMITS,
  type EncryptionKeyConfig,
  type RateLimitsConfig,
  type RequestLimit,
} from './fields.ts';
export { ConfigError, type Environment, loadConfigOrExit, parseEnv, processEnvironment } from './parse-env.ts';
export { type ResolvedProviders, resolveProviders } from './provider-fields.ts';
