/**
 * What a hostile gateway can do to a canister message frame with the bytes it holds: flip bits, rewrite the
 * witness to prove content of its choosing, re-sign the certificate with a BLS key it owns, or reuse an old
 * certificate. Each helper returns a new frame; the original is left untouched.
 */
import { concatBytes } from '@noble/hashes/utils';
import { Principal } from '@dfinity/principal';
import type { RootKey } from 'ic-ws-devnet';
import {
  CERTIFIED_LABEL,
  cborDecode,
  cborEncode,
  certifiedMessageHash,
  decodeHashTree,
  encodeHashTree,
  encodeWebsocketMessage,
  formatOutgoingKey,
  hashTreeFromCbor,
  leaf,
  parseOutgoingKey,
  reconstruct,
  type CanisterMessageFrame,
  type CborEncodable,
  type HashTree,
  type WebsocketMessage,
} from 'ic-ws-protocol';

const textEncoder = new TextEncoder();
/** `"\x0Dic-state-root"`: what the subnet key signs in front of the state tree's root hash. */
const IC_STATE_ROOT_DOMAIN = concatBytes(Uint8Array.of(13), textEncoder.encode('ic-state-root'));

/** The frame with one bit of its content flipped (witness and certificate unchanged). */
export function flipContentBit(frame: CanisterMessageFrame, byteIndex: number): CanisterMessageFrame {
  const content = frame.content.slice();
  content[byteIndex] = (content[byteIndex] as number) ^ 0x01;
  return { ...frame, content };
}

/**
 * The frame carrying `message` instead, with a witness rewritten so that its `<CERTIFIED_LABEL>/<key>` leaf is the
 * hash of the new content: consistent in itself, but its root no longer matches the certified data.
 */
export function forgeWitness(frame: CanisterMessageFrame, message: WebsocketMessage): CanisterMessageFrame {
  const content = encodeWebsocketMessage(message);
  const tree = replaceLeaf(decodeHashTree(frame.tree), [CERTIFIED_LABEL, frame.key], certifiedMessageHash(content));
  return { ...frame, content, tree: encodeHashTree(tree) };
}

/** The frame with its certificate's tree re-signed by `rootKey`: everything checks out but the signer. */
export function resignCertificate(frame: CanisterMessageFrame, rootKey: RootKey): CanisterMessageFrame {
  const certificate = cborDecode(frame.cert) as Map<string, unknown>;
  const root = reconstruct(hashTreeFromCbor(certificate.get('tree') as never));
  certificate.set('signature', rootKey.sign(concatBytes(IC_STATE_ROOT_DOMAIN, root)));
  return { ...frame, cert: cborEncode(certificate as unknown as CborEncodable, { selfDescribe: true }) };
}

/**
 * `cert` with the length of its (top-level) signature written in two bytes instead of one (`59 00 30` for
 * `58 30`): the same values, so the BLS signature still verifies, but not the certificate's canonical spelling.
 */
export function respellSignatureLength(cert: Uint8Array): Uint8Array {
  const key = Uint8Array.of(0x69, ...textEncoder.encode('signature'));
  for (let at = 0; at + key.length + 2 <= cert.length; at++) {
    if (!key.every((byte, i) => cert[at + i] === byte)) continue;
    const head = at + key.length;
    if (cert[head] !== 0x58 || cert[head + 1] !== 48) throw new Error('the signature is not a 48-byte string with a one-byte length');
    return concatBytes(cert.subarray(0, head), Uint8Array.of(0x59, 0x00, 48), cert.subarray(head + 2));
  }
  throw new Error('the certificate has no "signature" field');
}

/** The frame with its key naming `gateway` instead of the gateway that relayed it (same nonce). */
export function renameGateway(frame: CanisterMessageFrame, gateway: Principal): CanisterMessageFrame {
  const { nonce } = parseOutgoingKey(frame.key);
  return { ...frame, key: formatOutgoingKey(gateway, nonce) };
}

function replaceLeaf(tree: HashTree, path: readonly string[], value: Uint8Array): HashTree {
  const [head, ...rest] = path;
  switch (tree[0]) {
    case 1:
      return [1, replaceLeaf(tree[1], path, value), replaceLeaf(tree[2], path, value)];
    case 2:
      if (head === undefined || new TextDecoder().decode(tree[1]) !== head) return tree;
      return [2, tree[1], rest.length === 0 ? leaf(value) : replaceLeaf(tree[2], rest, value)];
    default:
      return tree;
  }
}
