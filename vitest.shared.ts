import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/** Workspace packages resolve to their sources in tests: no build is needed to test. */
const workspacePackages = ['protocol', 'client', 'gateway', 'canister', 'devnet'] as const;

export const workspaceAliases = workspacePackages.map((dir) => ({
  find: new RegExp(`^ic-ws-${dir}$`),
  replacement: fileURLToPath(new URL(`./packages/${dir}/src/index.ts`, import.meta.url)),
}));

/** The vitest config every package extends. */
export function definePackageConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias: workspaceAliases },
    test: {
      include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
      testTimeout: 30_000,
      ...overrides,
    },
  });
}
