/**
 * cborg decides at load time whether to use Node's `Buffer`: it reads `globalThis.Buffer` whenever
 * `globalThis.process` exists and is not marked as a browser. Azle's QuickJS runtime defines `process` but
 * makes reading `Buffer` throw, which would crash every canister importing ic-ws-protocol at init. This
 * module is imported by cbor.ts before cborg, and marks such a runtime browser-like, so cborg sticks to
 * `Uint8Array`. Node and browsers are left untouched: the mark is only set where reading `Buffer` throws.
 *
 * The guard lives beside the options cbor.ts passes to cborg, so the module is always used (bundlers honouring
 * `sideEffects: false` keep it) and evaluated ahead of cborg.
 */
import type { DecodeOptions, EncodeOptions } from 'cborg';

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

/** The CBOR self-describe tag (55799), written as the three bytes `d9 d9 f7`. */
export const SELF_DESCRIBE_TAG = 55799;

const tagDecoders: DecodeOptions['tags'] = [];
tagDecoders[SELF_DESCRIBE_TAG] = (inner: unknown) => inner;

/** Strict decoding: one item, no undefined/NaN/Infinity, no duplicate keys, maps as `Map`, tag 55799 stripped. */
export const decodeOptions: DecodeOptions = {
  useMaps: true,
  rejectDuplicateMapKeys: true,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: true,
  tags: tagDecoders,
};

/**
 * {@link decodeOptions}, and every length and integer in its shortest form, no indefinite lengths: one value,
 * one encoding. For signed documents read by two decoders (ours and agent-js's), so that no byte the signature
 * covers can be respelled without notice.
 */
export const canonicalDecodeOptions: DecodeOptions = { ...decodeOptions, strict: true, allowIndefinite: false };

// Keep insertion order: the wire format fixes field order (protocol.md section 3), and a stable sort with
// a comparator that always answers "equal" leaves entries where they are.
export const encodeOptions: EncodeOptions = { mapSorter: () => 0 };

