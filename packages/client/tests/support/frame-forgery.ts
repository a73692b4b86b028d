/**
 * What a hostile gateway can do to a canister message frame with the bytes it holds: flip bits, rewrite the
 * witness to prove content of its choosing, re-sign the certificate with a BLS key it owns, or reuse an old
 * certificate. Each helper returns a new frame; the original is left untouched.
 */
import { sha256 } from '@noble/hashes/sha256';
import { concatBytes } from '@noble/hashes/utils';
import { Principal } from '@dfinity/principal';
import type { RootKey } from 'ic-ws-devnet';
import {
  cborDecode,
  cborEncode,
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
 * The frame carrying `message` instead, with a witness rewritten so that its `websocket/<key>` leaf is the
 * hash of the new content: consistent in itself, but its root no longer matches the certified data.
 */
export function forgeWitness(frame: CanisterMessageFrame, message: WebsocketMessage): CanisterMessageFrame {
  const content = encodeWebsocketMessage(message);
  const tree = replaceLeaf(decodeHashTree(frame.tree), ['websocket', frame.key], sha256(content));
  return { ...frame, content, tree: encodeHashTree(tree) };
}

/** The frame with its certificate's tree re-signed by `rootKey`: everything checks out but the signer. */
export function resignCertificate(frame: CanisterMessageFrame, rootKey: RootKey): CanisterMessageFrame {
  const certificate = cborDecode(frame.cert) as Map<string, unknown>;
  const root = reconstruct(hashTreeFromCbor(certificate.get('tree') as never));
  certificate.set('signature', rootKey.sign(concatBytes(IC_STATE_ROOT_DOMAIN, root)));
  return { ...frame, cert: cborEncode(certificate as unknown as CborEncodable, { selfDescribe: true }) };
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
