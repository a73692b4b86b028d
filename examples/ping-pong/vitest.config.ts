import { defineConfig } from 'vitest/config';

// Building the canister (first run) and 100 round trips take longer than a unit test.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
