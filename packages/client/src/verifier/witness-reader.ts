import { hashValue } from '@dfinity/agent';
import { compareBytes, decodeHashTree, ErrorCode, lookupPath, reconstruct, type HashTree } from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';

interface DecodedWitness {
  bytes: Uint8Array;
  tree: HashTree;
  rootHash: Uint8Array;
}

/**
 * Checks that a witness proves a message: its root hash is the certified data, and its leaf
 * `websocket/<key>` is sha256 of the exact content bytes received. Messages of one batch share their
 * witness, so the last decoded witness (and its root hash) is kept.
 */
export class WitnessReader {
  private last: DecodedWitness | undefined;

  /**
   * @throws IcWsClientError `WITNESS_INVALID` when the witness is malformed, does not hash to
   *   `certifiedData`, or does not prove sha256(`content`) at `websocket/<key>`.
   */
  assertProves(witness: Uint8Array, certifiedData: Uint8Array, key: string, content: Uint8Array): void {
    const decoded = this.decode(witness);
    if (compareBytes(decoded.rootHash, certifiedData) !== 0) {
      throw new IcWsClientError(ErrorCode.WitnessInvalid, 'the witness root hash is not the certified data');
    }
    const leaf = lookupPath(decoded.tree, ['websocket', key]);
    if (leaf.status !== 'found') {
      throw new IcWsClientError(ErrorCode.WitnessInvalid, `the witness does not hold websocket/${key} (${leaf.status})`);
    }
    // agent-js's hashValue of bytes is their sha256: reusing the peer dependency keeps the bundle small.
    if (compareBytes(leaf.value, hashValue(content)) !== 0) {
      throw new IcWsClientError(ErrorCode.WitnessInvalid, `the content of ${key} does not match its certified hash`);
    }
  }

  private decode(witness: Uint8Array): DecodedWitness {
    if (this.last !== undefined && compareBytes(this.last.bytes, witness) === 0) return this.last;
    let tree: HashTree;
    try {
      tree = decodeHashTree(witness);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.WitnessInvalid, 'malformed witness');
    }
    this.last = { bytes: witness.slice(), tree, rootHash: reconstruct(tree) };
    return this.last;
  }
}
