import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { defineConfig, type Plugin, type ViteUserConfig } from 'vitest/config';

/** Workspace packages resolve to their sources in tests: no build is needed to test. */
const workspacePackages = ['protocol', 'client', 'gateway', 'canister', 'devnet'] as const;

export const workspaceAliases = [
  ...workspacePackages.map((dir) => ({
    find: new RegExp(`^ic-ws-${dir}$`),
    replacement: fileURLToPath(new URL(`./packages/${dir}/src/index.ts`, import.meta.url)),
  })),
  // The canister package's other entry points.
  ...(['azle', 'testing'] as const).map((entry) => ({
    find: new RegExp(`^ic-ws-canister/${entry}$`),
    replacement: fileURLToPath(new URL(`./packages/canister/src/${entry}/index.ts`, import.meta.url)),
  })),
];

/**
 * Lowers TC39 decorators (azle's `@update`, `@query`, ... and the canister binding's entry points) with
 * esbuild, as azle's own build and tsup do: Vite's oxc transform only knows legacy decorators, and Node 20
 * runs none.
 */
export const tc39Decorators: Plugin = {
  name: 'ic-ws:tc39-decorators',
  enforce: 'pre',
  async transform(code, id) {
    if (!/\.ts$/.test(id) || !/^\s*@[\w.]+\(/m.test(code)) return null;
    const result = await transform(code, { loader: 'ts', format: 'esm', target: 'es2022', sourcemap: true, sourcefile: id });
    return { code: result.code, map: result.map };
  },
};

/** The vitest config every package extends. */
export function definePackageConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias: workspaceAliases },
    plugins: [tc39Decorators],
    test: {
      include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
      testTimeout: 30_000,
      ...overrides,
    },
  });
}
