/**
 * Imported first: cborg (under ic-ws-protocol) probes `globalThis.Buffer` when `globalThis.process` exists
 * and is not a browser's. Azle defines `process` but makes reading `Buffer` throw outside its experimental
 * mode, so we declare this runtime a browser-like one before cborg loads. (An exported value, not a bare
 * side-effect import: the gateway package is `sideEffects: false`, so a bare import would be dropped.)
 */
function markBrowserLike(): boolean {
  const runtime = globalThis as { process?: { browser?: boolean } };
  if (runtime.process !== undefined) runtime.process.browser = true;
  return true;
}

export const BROWSER_LIKE = markBrowserLike();
