/**
 * Encodes a certificate with no delegation, `{tree, signature}` (interface spec, "Certification"), in the
 * bytes the generic encoder writes (definite lengths, shortest heads). A verifier that checked a certificate's
 * delegation itself hands the rest to agent-js this way, with the subnet key as the root: the signature covers
 * the tree's root hash, not these bytes, so re-encoding changes nothing that is signed. Written with the CBOR
 * heads and `encodeHashTree` rather than `cborEncode` (which it equals, tested) because `cborEncode` loads cborg,
 * which the browser client's bundle leaves out (see cbor.ts).
 */
import { CBOR_MAJOR_BYTES, CBOR_MAJOR_TEXT, cborHeadLength, writeCborHead } from '../cbor/cbor-head';
import { encodeHashTree } from '../hash-tree/hash-tree-cbor';
import type { HashTree } from '../hash-tree/hash-tree';

const SELF_DESCRIBE = Uint8Array.of(0xd9, 0xd9, 0xf7);
const MAP_OF_TWO = 0xa2;
const utf8 = new TextEncoder();
const TREE = utf8.encode('tree');
const SIGNATURE = utf8.encode('signature');

/** CBOR (with tag 55799) of `{tree, signature}`. */
export function encodeCertificate(certificate: { readonly tree: HashTree; readonly signature: Uint8Array }): Uint8Array {
  const tree = encodeHashTree(certificate.tree, { selfDescribe: false });
  const { signature } = certificate;
  const out = new Uint8Array(
    SELF_DESCRIBE.length + 1 + 1 + TREE.length + tree.length + 1 + SIGNATURE.length + cborHeadLength(signature.length) + signature.length,
  );
  out.set(SELF_DESCRIBE, 0);
  let at = SELF_DESCRIBE.length;
  out[at++] = MAP_OF_TWO;
  at = writeCborHead(out, at, CBOR_MAJOR_TEXT, TREE.length);
  out.set(TREE, at);
  at += TREE.length;
  out.set(tree, at);
  at += tree.length;
  at = writeCborHead(out, at, CBOR_MAJOR_TEXT, SIGNATURE.length);
  out.set(SIGNATURE, at);
  at += SIGNATURE.length;
  at = writeCborHead(out, at, CBOR_MAJOR_BYTES, signature.length);
  out.set(signature, at);
  return out;
}
