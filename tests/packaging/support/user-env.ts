/**
 * The environment of a user's shell for the npm commands of the tests: nothing of pnpm, turbo or this
 * vitest run leaks in (pnpm's NODE_PATH would let a project resolve packages it does not declare), and npm
 * asks the local registry of the packed packages.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** This process's environment less what pnpm, turbo and vitest put there. */
export function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|turbo_|vitest|tinypool)|^(NODE_PATH|NODE_OPTIONS|INIT_CWD)$/i.test(key)));
}

/** The variables, for a registry at `registryUrl`. */
export async function userEnv(registryUrl: string): Promise<NodeJS.ProcessEnv> {
  return {
    ...shellEnv(),
    npm_config_registry: `${registryUrl}/`,
    npm_config_cache: await npmCache(),
    // A user answers "y" when npm create asks to install create-ic-ws (this machine's npm config says no).
    npm_config_yes: 'true',
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/**
 * npm's cache for these tests: kept between runs (third-party tarballs need not be fetched again), but
 * without npx's installs, where a create-ic-ws of the same version from an earlier run would be reused.
 */
async function npmCache(): Promise<string> {
  const cache = join(tmpdir(), 'ic-ws-templates-npm-cache');
  await rm(join(cache, '_npx'), { recursive: true, force: true });
  return cache;
}
