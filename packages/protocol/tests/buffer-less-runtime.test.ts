/**
 * Azle's QuickJS runtime defines `process` but throws when `Buffer` is read. cborg probes `Buffer` when it
 * loads, so without ic-ws-protocol's guard every canister importing it would trap at init. This runs the
 * bundled package in a fresh V8 context shaped like that runtime (no Node built-ins, a throwing `Buffer`).
 */
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const TEXT_CODECS = `
  globalThis.TextEncoder = class { encode(s) { return Uint8Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0)); } };
  globalThis.TextDecoder = class { decode(b) { return decodeURIComponent(escape(String.fromCharCode(...(b ?? [])))); } };
`;

async function bundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `
        import { cborDecode, cborEncode, encodeHashTree, decodeHashTree, labeled, leaf, reconstruct } from './src/index.ts';
        const tree = labeled('websocket', leaf(new Uint8Array([1, 2, 3])));
        const bytes = encodeHashTree(tree);
        const map = cborDecode(cborEncode({ a: 1, b: new Uint8Array([7]) }, { selfDescribe: true }));
        globalThis.result = { same: reconstruct(decodeHashTree(bytes)).length, a: map.get('a'), b: Array.from(map.get('b')) };
      `,
      resolveDir: new URL('..', import.meta.url).pathname,
      loader: 'ts',
    },
    bundle: true,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('ic-ws-protocol in a runtime whose Buffer throws (Azle)', () => {
  it('loads and encodes/decodes CBOR without touching Buffer', async () => {
    const code = await bundle();
    const context: Record<string, unknown> = { process: {} };
    Object.defineProperty(context, 'Buffer', {
      get() {
        throw new Error('Buffer is not available in this runtime');
      },
    });
    createContext(context);
    // The runtime's own UTF-8 codecs (Azle ships polyfills), built from this context's Uint8Array.
    runInContext(TEXT_CODECS, context);
    runInContext(code, context);
    expect(context.result).toEqual({ same: 32, a: 1, b: [7] });
    expect((context.process as { browser?: boolean }).browser).toBe(true);
  });
});
