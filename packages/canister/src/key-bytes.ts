import { utf8Bytes } from 'ic-ws-protocol';

/**
 * UTF-8 bytes of keys that mostly share a prefix up to their last `_` (the message keys of one gateway, which
 * differ only in their nonce): the last prefix's bytes are kept, so only the rest of each key is encoded. In
 * the canister's interpreter, encoding costs about a thousand instructions per character; a key has ~84.
 */
export class KeyBytes {
  private prefix = '';
  private prefixBytes: Uint8Array = new Uint8Array(0);

  /** The UTF-8 bytes of `key` (a new array). */
  encode(key: string): Uint8Array {
    const cut = key.lastIndexOf('_') + 1;
    if (cut === 0) return utf8Bytes(key);
    const prefix = key.slice(0, cut);
    if (prefix !== this.prefix) {
      this.prefix = prefix;
      this.prefixBytes = utf8Bytes(prefix);
    }
    const rest = utf8Bytes(key.slice(cut));
    const out = new Uint8Array(this.prefixBytes.length + rest.length);
    out.set(this.prefixBytes, 0);
    out.set(rest, this.prefixBytes.length);
    return out;
  }
}
