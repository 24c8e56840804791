export {
  type AppProcess,
  type GatewayProcess,
  startGatewayProcess,
  startWorkerProcess,
  type WorkerProcess,
} from './app-process.ts';
export { type Browser, CHROMIUM_PATH, hasChromium, launchChromium } from './browser.ts';
export { type CapturingLogger, createCapturingLogger } from './capturing-logger.ts';
export { freePort } from './free-port.ts';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
export { createTestEnvironment, type TestEnvironment, useTestEnvironment } from './test-environment.ts';
