import { definePackageConfig } from '../../vitest.shared.ts';

// The global setup builds every published package (turbo-cached) and packs it once. The files then run one
// after the other (each is CPU-bound: npm installs, azle builds, devnets): packaging.test.ts installs the
// libraries into one app; templates.test.ts scaffolds and runs each template.
export default definePackageConfig({
  include: ['*.test.ts', 'support/*.test.ts'],
  globalSetup: ['./global-setup.ts'],
  fileParallelism: false,
  testTimeout: 300_000,
  hookTimeout: 900_000,
});
