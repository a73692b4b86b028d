import { definePackageConfig } from '../../vitest.shared.ts';

// Tests sit at the top of this package. Setup builds the five packages (turbo-cached), packs them and runs
// one npm install (registry for third-party packages); the canister test runs an azle build.
export default definePackageConfig({ include: ['*.test.ts', 'support/*.test.ts'], testTimeout: 240_000, hookTimeout: 900_000 });
