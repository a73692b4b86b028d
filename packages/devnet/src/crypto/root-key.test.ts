import { describe, expect, it } from 'vitest';
import { bls12_381 } from '@noble/curves/bls12-381';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { BLS_ROOT_KEY_DER_PREFIX } from './public-key-der';
import { NodeKey } from './node-key';
import { RootKey } from './root-key';
import { ed25519 } from '@noble/curves/ed25519';

describe('RootKey', () => {
  it('serves the 133-byte DER key agents expect and signs in G1 with the IC ciphersuite', () => {
    const root = RootKey.create();
    expect(root.der.length).toBe(133);
    expect(bytesToHex(root.der.slice(0, BLS_ROOT_KEY_DER_PREFIX.length))).toBe(bytesToHex(BLS_ROOT_KEY_DER_PREFIX));
    const message = utf8ToBytes('\x0Dic-state-root and a root hash');
    const signature = root.sign(message);
    expect(signature.length).toBe(48);
    // The same call @dfinity/agent makes to check a certificate.
    const raw = root.der.slice(BLS_ROOT_KEY_DER_PREFIX.length);
    expect(bls12_381.verifyShortSignature(bytesToHex(signature), bytesToHex(message), bytesToHex(raw))).toBe(true);
    expect(bls12_381.verifyShortSignature(bytesToHex(signature), bytesToHex(utf8ToBytes('other')), bytesToHex(raw))).toBe(false);
  });

  it('is reproducible from a secret', () => {
    const secret = bls12_381.utils.randomPrivateKey();
    expect(RootKey.create(secret).der).toEqual(RootKey.create(secret).der);
  });
});

describe('NodeKey', () => {
  it('has a 44-byte DER key, a self-authenticating node id and verifiable signatures', () => {
    const node = NodeKey.create();
    expect(node.der.length).toBe(44);
    expect(node.nodeId.toUint8Array().length).toBe(29);
    const signature = node.sign(utf8ToBytes('hello'));
    expect(ed25519.verify(signature, utf8ToBytes('hello'), node.der.slice(12))).toBe(true);
  });
});
