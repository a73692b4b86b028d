/**
 * Imported first. cborg (under ic-ws-protocol) probes `globalThis.Buffer` at load when `globalThis.process`
 * exists and is not a browser's; azle defines `process` but makes reading `Buffer` throw outside its
 * experimental mode. Declaring the runtime browser-like before cborg loads avoids the probe. It exports a
 * value the canister reads, because a bare side-effect import of a `sideEffects: false` package is dropped.
 */
function markBrowserLike(): boolean {
  const runtime = globalThis as { process?: { browser?: boolean } };
  if (runtime.process !== undefined) runtime.process.browser = true;
  return true;
}

export const BROWSER_LIKE = markBrowserLike();
