/**
 * cborg decides at load time whether to use Node's `Buffer`: it reads `globalThis.Buffer` whenever
 * `globalThis.process` exists and is not marked as a browser. Azle's QuickJS runtime defines `process` but
 * makes reading `Buffer` throw, which would crash every canister importing ic-ws-protocol at init. This
 * module is imported by cbor.ts before cborg, and marks such a runtime browser-like, so cborg sticks to
 * `Uint8Array`. Node and browsers are left untouched: the mark is only set where reading `Buffer` throws.
 *
 * The guard lives beside the options cbor.ts passes to cborg (decoding does not use cborg: see cbor-reader.ts), so the module is always used (bundlers honouring
 * `sideEffects: false` keep it) and evaluated ahead of cborg.
 */
import type { EncodeOptions } from 'cborg';

function markRuntimeWithoutBuffer(): boolean {
  const runtime = globalThis as { process?: { browser?: boolean }; Buffer?: unknown };
  if (runtime.process === undefined || runtime.process === null) return false;
  try {
    void runtime.Buffer;
    return false;
  } catch {
    runtime.process.browser = true;
    return true;
  }
}

/** True when this runtime hides `Buffer` (Azle) and was marked browser-like for cborg. */
export const RUNTIME_WITHOUT_BUFFER = markRuntimeWithoutBuffer();

// Keep insertion order: the wire format fixes field order (protocol.md section 3), and a stable sort with
// a comparator that always answers "equal" leaves entries where they are.
export const encodeOptions: EncodeOptions = { mapSorter: () => 0 };

