export {
  consume,
  type JobContext,
  type JobHandler,
  type QueueConsumer,
  type QueueHandlers,
  type WorkerDeps,
} from './job-handlers.ts';
export { createPlatformLimiter, type PlatformCall, type PlatformLimiter, scopesFor } from './platform-limits.ts';
export { createRateLimiter, type LimitScope, type RateLimiter } from './rate-limiter.ts';
export { runWorkerApp, type WorkerAppDefinition } from './run-worker-app.ts';
export { createWorkerRuntime, type WorkerRuntime, type WorkerRuntimeOptions } from './worker-runtime.ts';
