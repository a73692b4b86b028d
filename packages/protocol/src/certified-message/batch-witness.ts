import { ErrorCode, ProtocolError } from '../errors';
import { reconstruct, type HashTree } from '../hash-tree/hash-tree';
import { decodeHashTree } from '../hash-tree/hash-tree-cbor';
import { bytesEqual } from '../hash-tree/label-bytes';

/**
 * The witness (`tree`) of one `ws_get_messages` batch, decoded and hashed once: every message of a batch
 * shares it, so a verifier decodes it once and checks each message against it with
 * `verifyCertifiedMessage`. Only {@link BatchWitness.decode} makes one, so `rootHash` is always the hash of
 * `tree`.
 */
export class BatchWitness {
  private constructor(
    /** A copy of the bytes it was decoded from. */
    readonly bytes: Uint8Array,
    readonly tree: HashTree,
    /** The root hash of `tree`: what the certified data must be for the witness to prove anything. */
    readonly rootHash: Uint8Array,
  ) {}

  /**
   * Decodes a batch's witness strictly (see `decodeHashTree`).
   * @throws ProtocolError `WITNESS_INVALID`, with the decoder's error as `cause`.
   */
  static decode(bytes: Uint8Array): BatchWitness {
    let tree: HashTree;
    try {
      tree = decodeHashTree(bytes);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new ProtocolError(ErrorCode.WitnessInvalid, `malformed witness: ${detail}`, { cause: error });
    }
    return new BatchWitness(bytes.slice(), tree, reconstruct(tree));
  }

  /** Whether `bytes` are the bytes this witness was decoded from (the next message of the same batch). */
  hasBytes(bytes: Uint8Array): boolean {
    return bytesEqual(this.bytes, bytes);
  }
}
