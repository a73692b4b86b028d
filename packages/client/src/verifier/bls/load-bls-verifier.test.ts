import { afterEach, describe, expect, it, vi } from 'vitest';
import { nobleBlsVerifier } from './bls-verifier';
import { loadBlsVerifier, loadWasmBlsVerifier, withNobleFallback } from './load-bls-verifier';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('loadBlsVerifier', () => {
  it('loads the WebAssembly verifier under auto, once for every client of the process', async () => {
    const first = loadBlsVerifier('auto');
    expect(loadBlsVerifier('auto')).toBe(first);
    const verifier = await first;
    expect(verifier.kind).toBe('wasm');
    expect(verifier.fallbackReason).toBeUndefined();
  });

  it('never loads WebAssembly under noble', async () => {
    expect(await loadBlsVerifier('noble')).toBe(nobleBlsVerifier);
  });

  it('falls back to noble, saying why, where WebAssembly is missing', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    await expect(loadWasmBlsVerifier()).rejects.toThrow('WebAssembly is not available in this runtime');
    const verifier = await withNobleFallback(loadWasmBlsVerifier);
    expect(verifier.kind).toBe('noble');
    expect(verifier.fallbackReason).toBe('the WebAssembly BLS verifier could not be loaded: WebAssembly is not available in this runtime');
    expect(verifier.verify).toBe(nobleBlsVerifier.verify);
  });

  it('falls back to noble where WebAssembly refuses to compile (a CSP without wasm-unsafe-eval)', async () => {
    const refused = new Error("WebAssembly.instantiate(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source");
    vi.stubGlobal('WebAssembly', Object.assign(Object.create(WebAssembly) as typeof WebAssembly, { instantiate: () => Promise.reject(refused) }));
    const verifier = await withNobleFallback(loadWasmBlsVerifier);
    expect(verifier.kind).toBe('noble');
    expect(verifier.fallbackReason).toContain('Refused to compile or instantiate WebAssembly module');
  });
});
