import { nobleBlsVerifier, type BlsVerifier } from './bls-verifier';

/** What a client asks for: the fastest verifier that runs here (`auto`), or agent-js's `@noble/curves` path. */
export type BlsVerifierPreference = 'auto' | 'noble';

/** The WebAssembly verifier (or its fallback), loaded at most once per page or process and shared by every client. */
let shared: Promise<BlsVerifier> | undefined;

/**
 * The BLS verifier for `preference`. `auto` loads the WebAssembly verifier once and shares it; where it cannot
 * run, the `@noble/curves` verifier is used and the fallback remembered, so a page does not retry on every
 * connection. Never rejects.
 */
export function loadBlsVerifier(preference: BlsVerifierPreference): Promise<BlsVerifier> {
  if (preference === 'noble') return Promise.resolve(nobleBlsVerifier);
  shared ??= withNobleFallback(loadWasmBlsVerifier);
  return shared;
}

/**
 * `load()`'s verifier, or the `@noble/curves` one (saying why in `fallbackReason`) when `load` fails: WebAssembly
 * missing, refused by a Content-Security-Policy without `'wasm-unsafe-eval'`, or out of memory.
 */
export async function withNobleFallback(load: () => Promise<BlsVerifier>): Promise<BlsVerifier> {
  try {
    return await load();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ...nobleBlsVerifier, fallbackReason: `the WebAssembly BLS verifier could not be loaded: ${reason}` };
  }
}

/**
 * mcl's WebAssembly verifier; rejects where WebAssembly is not available. Imported on demand, so bundlers put
 * it (and the ~440 kB of WebAssembly inside) in a chunk of its own that pages fetch only when a socket is made.
 */
export async function loadWasmBlsVerifier(): Promise<BlsVerifier> {
  if (typeof WebAssembly !== 'object') throw new Error('WebAssembly is not available in this runtime');
  const { McLBlsVerifier } = await import('./mcl-bls-verifier');
  return McLBlsVerifier.create();
}
