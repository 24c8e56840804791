// The configuration of each process, composed from the shared field groups.

import { weakTokenReason } from '@adsync/crypto';
import { z } from 'zod';
import { DEV_OPERATOR_TOKEN, DEV_TENANT_API_KEY } from './dev-defaults.ts';
import { refuseDevelopmentDefaults } from './dev-defaults-guard.ts';
import {
  credentialTimingFields,
  cryptoFields,
  databaseFields,
  devDefaultsOptInFields,
  eventFields,
  gatewayFields,
  gatewayMetricsFields,
  gatewayRateLimitFields,
  klaviyoSyncFields,
  oauthStateFields,
  outboundFields,
  rateLimitFields,
  redisFields,
  refreshFields,
  runtimeFields,
  shutdownFields,
  spendFields,
  workerFields,
} from './fields.ts';
import { providerFields } from './provider-fields.ts';

const simulatorAddressFields = {
  SIMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
};

export const migrateConfigSchema = z.object({ ...runtimeFields, ...databaseFields });
export type MigrateConfig = z.output<typeof migrateConfigSchema>;

/** `pnpm spend:backfill`: the database that knows the account, the queue that takes the jobs. */
export const backfillConfigSchema = z.object({
  ...runtimeFields,
  ...databaseFields,
  ...redisFields,
  SPEND_BACKFILL_CHUNK_DAYS: spendFields.SPEND_BACKFILL_CHUNK_DAYS,
});

/** `pnpm reseal`: the database whose sealed values it re-seals, and the keyring (new key first). */
export const resealConfigSchema = z
  .object({
    ...runtimeFields,
    ...databaseFields,
    ...cryptoFields,
    // Only to tell whether the dev key may seal here: re-sealing with it would hand every secret to anybody.
    PUBLIC_BASE_URL: gatewayFields.PUBLIC_BASE_URL,
    ...devDefaultsOptInFields,
  })
  .superRefine(refuseDevelopmentDefaults({ providers: false }));
export type ResealConfig = z.output<typeof resealConfigSchema>;

export const gatewayConfigSchema = z
  .object({
    ...runtimeFields,
    ...databaseFields,
    ...redisFields,
    ...cryptoFields,
    ...oauthStateFields,
    ...shutdownFields,
    ...gatewayFields,
    ...gatewayRateLimitFields,
    ...outboundFields,
    ...gatewayMetricsFields,
    ...credentialTimingFields,
    ...spendFields,
    ...eventFields,
    ...providerFields,
    ...devDefaultsOptInFields,
  })
  .superRefine(refuseDevelopmentDefaults({ providers: true }));
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

export function workerConfigSchema(defaultHealthPort: number) {
  return z
    .object({
      ...runtimeFields,
      ...databaseFields,
      ...redisFields,
      ...cryptoFields,
      ...shutdownFields,
      ...workerFields(defaultHealthPort),
      ...refreshFields,
      ...spendFields,
      ...eventFields,
      ...klaviyoSyncFields,
      ...rateLimitFields,
      ...outboundFields,
      PUBLIC_BASE_URL: gatewayFields.PUBLIC_BASE_URL,
      ...providerFields,
      ...devDefaultsOptInFields,
    })
    .superRefine(refuseDevelopmentDefaults({ providers: true }));
}
export type WorkerConfig = z.output<ReturnType<typeof workerConfigSchema>>;

export const launcherConfigSchema = z
  .object({
    ...runtimeFields,
    ...databaseFields,
    ...redisFields,
    GATEWAY_PORT: gatewayFields.GATEWAY_PORT,
    ...gatewayMetricsFields,
    PUBLIC_BASE_URL: gatewayFields.PUBLIC_BASE_URL,
    ...devDefaultsOptInFields,
    // Read to refuse their public defaults on a public URL; the launcher hands them to the apps as they are.
    ...cryptoFields,
    ...oauthStateFields,
    PROVIDERS_TARGET: providerFields.PROVIDERS_TARGET,
    ...simulatorAddressFields,
    /** Where the launcher keeps an embedded Postgres or a Redis it started itself. */
    ADSYNC_DATA_DIR: z.string().min(1).default('.adsync'),
    /** Port for the embedded Postgres the launcher starts when none is reachable. */
    EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    /** The operator the launcher creates for local runs (never in production). */
    DEV_OPERATOR_EMAIL: z.email().default('dev@adsync.local'),
    /** Passed to operator:create --token, so it must pass the same check (weakTokenReason). */
    DEV_OPERATOR_TOKEN: z
      .string()
      .superRefine((token, ctx) => {
        const weakness = weakTokenReason(token);
        if (weakness !== undefined) ctx.addIssue({ code: 'custom', message: weakness });
      })
      .default(DEV_OPERATOR_TOKEN),
    /** The local brand (tenant) the launcher creates, and its API key. */
    DEV_TENANT_API_KEY: z
      .string()
      .regex(/^adsync_[A-Za-z0-9_-]{16,}$/, {
        message: 'must look like adsync_ followed by at least 16 letters, digits, _ or -',
      })
      .default(DEV_TENANT_API_KEY),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production') {
      ctx.addIssue({
        code: 'custom',
        path: ['NODE_ENV'],
        message: 'the launcher is for local runs; in production run each app on its own (see docs/operations.md)',
      });
    }
  })
  // Before it migrates, creates the dev operator and tenant, or starts anything: the apps it starts would
  // refuse too, but only after the public operator token and tenant key were written.
  .superRefine(refuseDevelopmentDefaults({ providers: true }));
export type LauncherConfig = z.output<typeof launcherConfigSchema>;

export const simulatorConfigSchema = z.object({
  ...runtimeFields,
  ...simulatorAddressFields,
  /**
   * JSON object of simulator options (token lifetimes, rate limits, failure shares), e.g.
   * {"tiktok":{"accessTokenSeconds":5},"google":{"accessTokenSeconds":5}}. The simulator validates it.
   */
  SIMULATOR_OPTIONS: z
    .string()
    .default('{}')
    .transform((value, ctx) => {
      try {
        const parsed: unknown = JSON.parse(value);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
          return parsed as Record<string, unknown>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"google":{"accessTokenSeconds":5}}' });
      return z.NEVER;
    }),
});
export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;
