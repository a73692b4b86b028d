import { definePackageConfig } from '../../vitest.shared.ts';

// Building the canister (first run) and 100 round trips take longer than a unit test.
export default definePackageConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
