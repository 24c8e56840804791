// What each simulated platform provides to the simulator: its routes under its own path prefix, and the
// control actions tests use on it (revoke, expire, reset).

import type { FastifyInstance } from 'fastify';
import type { SimulatorOptions } from '../simulator-options.ts';
import type { Clock } from './clock.ts';
import type { Faults } from './faults.ts';
import type { Recorder } from './recorder.ts';

export const PLATFORM_IDS = ['meta', 'google', 'tiktok', 'klaviyo'] as const;
export type PlatformId = (typeof PLATFORM_IDS)[number];

export interface SimulatorContext {
  options: SimulatorOptions;
  clock: Clock;
  recorder: Recorder;
  /** The control API's fault rules; platforms consult the ones applied inside a handler (event rejections). */
  faults: Faults;
}

export interface TokenSelector {
  /** An access or refresh token the platform issued; without it, every grant of the platform. */
  token?: string;
}

export interface PlatformControl {
  /** Revokes grants (and every token they issued); returns how many. */
  revoke(selector: TokenSelector): number;
  /** Makes access tokens expired from now on; returns how many. */
  expireAccessTokens(selector: TokenSelector): number;
  /** Forgets every grant, token, job and counter; seed data stays. */
  reset(): void;
}

export interface SimulatedPlatform {
  id: PlatformId;
  /** Registers the platform's routes; the simulator mounts them under `/${id}`. */
  routes(app: FastifyInstance): Promise<void>;
  control: PlatformControl;
  /** Platform-specific control actions, exposed at POST /_control/{id}/{action}. */
  actions?: Record<string, (body: Record<string, unknown>) => unknown>;
}
