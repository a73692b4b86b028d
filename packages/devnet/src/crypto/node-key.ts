import { ed25519 } from '@noble/curves/ed25519';
import { Principal } from '@dfinity/principal';
import { ed25519PublicKeyToDer } from './public-key-der';

/**
 * A replica node's Ed25519 key. Nodes sign query responses; agents look the public key up under
 * `subnet/<subnet id>/node/<node id>/public_key` in a certified read_state and check the signature.
 */
export class NodeKey {
  /** The public key in DER (44 bytes), as it appears in the state tree. */
  readonly der: Uint8Array;
  /** The node id: the self-authenticating principal of `der`. */
  readonly nodeId: Principal;
  readonly #secretKey: Uint8Array;

  private constructor(secretKey: Uint8Array) {
    this.#secretKey = secretKey;
    this.der = ed25519PublicKeyToDer(ed25519.getPublicKey(secretKey));
    this.nodeId = Principal.selfAuthenticating(this.der);
  }

  /** A node key from a 32-byte Ed25519 seed, or a fresh random one. */
  static create(secretKey: Uint8Array = ed25519.utils.randomPrivateKey()): NodeKey {
    return new NodeKey(Uint8Array.from(secretKey));
  }

  /** Signs `message`; returns the 64-byte Ed25519 signature. */
  sign(message: Uint8Array): Uint8Array {
    return ed25519.sign(message, this.#secretKey);
  }
}
