/** Thrown by a handler when retrying cannot help (the job fails at once, its attempts unused). */
export { UnrecoverableError } from 'bullmq';
export {
  consume,
  type JobContext,
  type JobHandler,
  type QueueConsumer,
  type QueueHandlers,
  type WorkerDeps,
} from './job-handlers.ts';
export { RetryLaterError } from './job-processor.ts';
export {
  createPlatformLimiter,
  type PlatformCall,
  type PlatformLimiter,
  type PlatformUsage,
  pauseForUsage,
  type SignalScope,
  scopesFor,
} from './platform-limits.ts';
export { createRateLimiter, type LimitScope, type RateLimiter } from './rate-limiter.ts';
export { runWorkerApp, type WorkerAppDefinition } from './run-worker-app.ts';
export { createWorkerRuntime, type WorkerRuntime, type WorkerRuntimeOptions } from './worker-runtime.ts';
