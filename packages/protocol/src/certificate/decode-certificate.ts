/**
 * Strict decoding of IC certificates (interface spec, "Certification"). A certificate reaches the client from
 * an untrusted gateway; the client verifies its signature with agent-js, whose CBOR decoder is lenient (it
 * accepts, say, a signature length written in more bytes than needed). Decoding it here first, canonically and
 * field by field, means a certificate is accepted only in its one spelling.
 */
import type { Principal } from '@dfinity/principal';
import { cborDecode, type CborValue } from '../cbor/cbor-reader';
import { expectBytes, expectPrincipal, expectRecord } from '../cbor/shape';
import type { HashTree } from '../hash-tree/hash-tree';
import { hashTreeFromCbor } from '../hash-tree/hash-tree-cbor';
import { ErrorCode, ProtocolError } from '../errors';

/** A certificate as the IC sends it: a state tree, the subnet's signature over it, and maybe a delegation. */
export interface DecodedCertificate {
  tree: HashTree;
  /** The BLS signature over the tree's root hash. */
  signature: Uint8Array;
  /** Present when a subnet other than the root signed: the root's certificate of that subnet's key. */
  delegation?: DecodedDelegation;
}

/** The delegation of a certificate signed by a subnet. */
export interface DecodedDelegation {
  subnetId: Principal;
  /** The root-signed certificate of the subnet's public key and canister ranges; it has no delegation itself. */
  certificate: DecodedCertificate;
  /** The bytes `certificate` was decoded from, as received (what a verifier hands to agent-js). */
  certificateBytes: Uint8Array;
}

/**
 * Decodes certificate bytes (tag 55799 optional): exactly the fields `tree`, `signature` and optionally
 * `delegation` (`subnet_id`, `certificate`, whose bytes are a certificate without a delegation), every length
 * and integer in its shortest form, the tree well-formed. Checks no signature: that is the caller's job.
 *
 * @throws ProtocolError `CBOR_MALFORMED` (including a non-canonical length), `CBOR_INVALID_SHAPE`,
 *   `FIELD_TOO_LARGE` or `HASH_TREE_MALFORMED`.
 */
export function decodeCertificate(bytes: Uint8Array): DecodedCertificate {
  return certificateFromBytes(bytes, 'certificate', true);
}

function certificateFromBytes(bytes: Uint8Array, what: string, mayDelegate: boolean): DecodedCertificate {
  const field = expectRecord(cborDecode(bytes, { canonical: true }), what, ['tree', 'signature'], ['delegation']);
  const certificate: DecodedCertificate = {
    tree: hashTreeFromCbor(field('tree') as CborValue),
    signature: expectBytes(field('signature'), `${what}.signature`),
  };
  const delegation = field('delegation');
  if (delegation !== undefined) {
    if (!mayDelegate) {
      throw new ProtocolError(ErrorCode.CborInvalidShape, `${what}: a delegation's certificate may not carry a delegation`);
    }
    certificate.delegation = delegationFromCbor(delegation, `${what}.delegation`);
  }
  return certificate;
}

function delegationFromCbor(value: CborValue, what: string): DecodedDelegation {
  const field = expectRecord(value, what, ['subnet_id', 'certificate']);
  const certificateBytes = expectBytes(field('certificate'), `${what}.certificate`);
  return {
    subnetId: expectPrincipal(field('subnet_id'), `${what}.subnet_id`),
    certificate: certificateFromBytes(certificateBytes, `${what}.certificate`, false),
    certificateBytes,
  };
}
