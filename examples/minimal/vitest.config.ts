import { defineConfig } from 'vitest/config';

// The first run builds the canister with azle (10-20 s); later runs take it from the cache.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
