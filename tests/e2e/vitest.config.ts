import { definePackageConfig } from '../../vitest.shared.ts';

// A cold start builds two canisters with azle (10-20 s each on two idle cores, much more on a busy machine)
// before the browser opens; the first page load then has Vite compile the client from source.
export default definePackageConfig({ include: ['*.test.ts'], testTimeout: 180_000, hookTimeout: 400_000 });
