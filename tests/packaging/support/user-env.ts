/**
 * The environment of a user's shell for the npm commands of the tests: nothing of pnpm, turbo or this
 * vitest run leaks in (pnpm's NODE_PATH would let a project resolve packages it does not declare), and npm
 * asks the local registry of the packed packages.
 */

/** This process's environment less what pnpm, turbo and vitest put there. */
export function shellEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|turbo_|vitest|tinypool)|^(NODE_PATH|NODE_OPTIONS|INIT_CWD)$/i.test(key)));
}

/** The variables, for a registry at `registryUrl` and npm's cache in `npmCache`. */
export function userEnv(registryUrl: string, npmCache: string): NodeJS.ProcessEnv {
  return {
    ...shellEnv(),
    npm_config_registry: `${registryUrl}/`,
    npm_config_cache: npmCache,
    // A user answers "y" when npm create asks to install create-ic-ws (this machine's npm config says no).
    npm_config_yes: 'true',
    npm_config_prefer_offline: 'true',
    // A busy machine: npm waits longer and tries more often before it gives up on a package.
    npm_config_fetch_retries: '4',
    npm_config_fetch_timeout: '120000',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}
