import { readFile } from 'node:fs/promises';
import { ErrorCode } from 'ic-ws-protocol';
import { GatewayError, describeError } from '../gateway-error';

/** Length of the IC root key in DER (BLS12-381 G2 key, 96 bytes, plus a 37-byte prefix). */
export const ROOT_KEY_DER_LENGTH = 133;

/**
 * Reads a root key file: 133 DER bytes, or the same as hex text (what `dfx ping` and devnets print).
 *
 * @throws GatewayError `ROOT_KEY_UNAVAILABLE` when the file is unreadable or holds no root key.
 */
export async function readRootKeyFile(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new GatewayError(ErrorCode.RootKeyUnavailable, `cannot read root key file ${path}: ${describeError(error)}`, { cause: error });
  }
  const text = new TextDecoder().decode(bytes).trim();
  const key = /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Uint8Array.from(Buffer.from(text, 'hex')) : bytes;
  if (key.length !== ROOT_KEY_DER_LENGTH) {
    throw new GatewayError(ErrorCode.RootKeyUnavailable, `${path}: expected a ${ROOT_KEY_DER_LENGTH}-byte DER root key, got ${key.length} bytes`);
  }
  return key;
}
