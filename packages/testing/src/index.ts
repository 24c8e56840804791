export { type Browser, CHROMIUM_PATH, hasChromium, launchChromium } from './browser.ts';
export { type CapturingLogger, createCapturingLogger } from './capturing-logger.ts';
export { freePort } from './free-port.ts';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
export { createTestEnvironment, type TestEnvironment, useTestEnvironment } from './test-environment.ts';
export { startWorkerProcess, type WorkerProcess } from './worker-process.ts';
