import { defineConfig } from 'vitest/config';

const roots = ['apps', 'packages', 'tools'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: roots.map((root) => `${root}/*/src/**/*.unit.test.ts`),
        },
      },
      {
        test: {
          name: 'integration',
          include: roots.map((root) => `${root}/*/src/**/*.integration.test.ts`),
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
