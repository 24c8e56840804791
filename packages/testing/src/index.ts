export { createTestEnvironment, type TestEnvironment, useTestEnvironment } from './test-environment.ts';
