import { Certificate, type HttpAgent } from '@dfinity/agent';
import type { Principal } from '@dfinity/principal';
import {
  checkDelegationCoversCanister,
  compareBytes,
  decodeCertificate,
  encodeCertificate,
  ErrorCode,
  lookupPath,
  lookupSubtree,
  type DecodedCertificate,
  type DecodedDelegation,
  type HashTree,
} from 'ic-ws-protocol';
import { IcWsClientError } from '../client-error';
import { nobleBlsVerifier, type BlsVerifier } from './bls/bls-verifier';
import { VerifiedSignatures } from './bls/verified-signatures';

/** Options of {@link CertificateVerifier}. */
export interface CertificateVerifierOptions {
  /** DER root key certificates must chain to. */
  rootKey: Uint8Array;
  /** The canister whose certified data is read (and which a delegation's canister range must cover). */
  canisterId: Principal;
  /** Oldest accepted certificate, in ms. */
  maxAgeMs: number;
  /** Agent whose clock offset corrects the local clock (and which may sync time on a stale-looking cert). */
  agent?: HttpAgent;
  /**
   * The BLS verifier (see `loadBlsVerifier`: WebAssembly where it runs).
   * @default nobleBlsVerifier (agent-js's own `@noble/curves` path)
   */
  bls?: BlsVerifier;
  /**
   * How many verified signatures to remember (see `VerifiedSignatures`: a subnet delegation's signature is
   * checked once, not in every certificate); 0 checks every signature every time.
   * @default 8
   */
  signatureMemoSize?: number;
  /**
   * How many distinct certificates to remember. Messages of one poll share one certificate, and polls follow
   * each other, so a handful is plenty.
   * @default 4
   */
  cacheSize?: number;
  /** The local clock in ms. @default Date.now */
  now?: () => number;
}

interface CacheEntry {
  bytes: Uint8Array;
  result: Promise<VerifiedCertificate>;
}

interface VerifiedCertificate {
  certifiedData: Uint8Array;
  /** The certificate's `time`, in ms since the epoch. */
  timeMs: number;
}

/** A compressed BLS12-381 G2 public key. */
const BLS_KEY_LENGTH = 96;

/** Oldest accepted delegation certificate: agent-js's own limit for delegations (30 days). */
const DELEGATION_MAX_AGE_MS = 30 * 24 * 60 * 60_000;

/** How far ahead of the local clock a certificate's time may be (agent-js allows the same). */
const MAX_FUTURE_MS = 5 * 60_000;

/**
 * Verifies IC certificates once per distinct certificate and hands out the canister's certified data.
 * A BLS verification costs milliseconds; every message of a `ws_get_messages` batch carries the same `cert`,
 * so verifying each message's certificate again would cost a batch of 50 fifty times as much
 * (docs/protocol.md section 6). A cached certificate is only reused while it is still young enough.
 */
export class CertificateVerifier {
  private readonly cache: CacheEntry[] = [];
  private readonly cacheSize: number;
  private readonly now: () => number;
  /** The BLS verifier in use, remembering verified signatures (a delegation is verified once, not per certificate). */
  readonly bls: VerifiedSignatures;
  /** How many full certificate verifications ran: what the cache saves is visible in tests and benchmarks. */
  verifications = 0;

  constructor(private readonly options: CertificateVerifierOptions) {
    this.cacheSize = Math.max(1, options.cacheSize ?? 4);
    this.now = options.now ?? Date.now;
    this.bls = new VerifiedSignatures(options.bls ?? nobleBlsVerifier, options.signatureMemoSize ?? 8);
    // The root key is known now (DER: the 96-byte key comes last), so its precomputation need not wait for the
    // first certificate. Only a speed-up: a malformed key is simply not prepared.
    this.bls.prepare(options.rootKey.subarray(-BLS_KEY_LENGTH));
  }

  /**
   * The canister's certified data proven by `cert`.
   * @throws IcWsClientError `CERTIFICATE_INVALID` when the certificate is not strictly encoded (protocol's
   *   `decodeCertificate`: canonical CBOR, known fields; its error is the `cause`), does not verify, is too old
   *   or too new, or certifies no data for the canister.
   */
  async certifiedData(cert: Uint8Array): Promise<Uint8Array> {
    let entry = this.cache.find((candidate) => compareBytes(candidate.bytes, cert) === 0);
    if (entry === undefined) {
      entry = { bytes: cert.slice(), result: this.verify(cert) };
      this.cache.push(entry);
      if (this.cache.length > this.cacheSize) this.cache.shift();
      const created = entry;
      // A failed verification must not be served from the cache.
      created.result.catch(() => this.forget(created));
    }
    const verified = await entry.result;
    this.checkAge(verified.timeMs);
    return verified.certifiedData;
  }

  private forget(entry: CacheEntry): void {
    const index = this.cache.indexOf(entry);
    if (index >= 0) this.cache.splice(index, 1);
  }

  private async verify(cert: Uint8Array): Promise<VerifiedCertificate> {
    const { canisterId } = this.options;
    // agent-js's CBOR decoder is lenient (it takes a length written in more bytes than needed): a certificate
    // is accepted only in its one canonical spelling, strictly decoded by the protocol first.
    let decoded: DecodedCertificate;
    try {
      decoded = decodeCertificate(cert);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.CertificateInvalid, 'the certificate is not canonical, well-formed CBOR');
    }
    this.verifications += 1;
    const { delegation } = decoded;
    const tree =
      delegation !== undefined && this.#carriesTreeRanges(delegation)
        ? await this.#verifyWithTreeRanges(decoded, delegation)
        : await this.#verifyWithAgent(cert, this.options.rootKey, 'certificate verification failed');
    const data = lookupPath(tree, ['canister', canisterId.toUint8Array(), 'certified_data']);
    if (data.status !== 'found') {
      throw new IcWsClientError(ErrorCode.CertificateInvalid, `the certificate holds no certified data for ${canisterId.toText()}`);
    }
    const time = lookupPath(tree, ['time']);
    if (time.status !== 'found') throw new IcWsClientError(ErrorCode.CertificateInvalid, 'the certificate has no time');
    return { certifiedData: data.value.slice(), timeMs: Number(decodeLeb128(time.value) / 1_000_000n) };
  }

  /** agent-js's whole check of `cert` against `rootKey` (signature, delegation if any, flat canister ranges, time). */
  async #verifyWithAgent(cert: Uint8Array, rootKey: Uint8Array, failure: string, maxAgeMs = this.options.maxAgeMs): Promise<HashTree> {
    const { canisterId, agent } = this.options;
    try {
      const certificate = await Certificate.create({
        certificate: cert,
        rootKey,
        canisterId,
        maxAgeInMinutes: maxAgeMs / 60_000,
        ...(agent === undefined ? {} : { agent }),
        blsVerify: (publicKey, signature, message) => this.bls.verify(publicKey, signature, message),
      });
      return certificate.cert.tree as unknown as HashTree;
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.CertificateInvalid, failure);
    }
  }

  /**
   * Whether the delegation carries its canister ranges in the tree format (`/canister_ranges/<subnet id>/...`,
   * what replicas send on `/api/v3/.../query`, v3 read_state and v4 call), which agent-js <= 3.4.3 cannot read.
   * Only the presence of that subtree is looked at: a delegation without it (the flat leaf only) stays on
   * agent-js's own path exactly as before, its ranges read by agent-js, not decoded here.
   */
  #carriesTreeRanges(delegation: DecodedDelegation): boolean {
    return lookupSubtree(delegation.certificate.tree, ['canister_ranges', delegation.subnetId.toUint8Array()]).status === 'found';
  }

  /**
   * A certificate whose delegation has tree-format canister ranges, checked the way agent-js checks a flat one,
   * with agent-js still doing every signature and time check: (1) the delegation's certificate against the root
   * key, as agent-js does (30-day max age; decodeCertificate already refused a nested delegation); (2) its
   * ranges for the subnet cover the canister (protocol's `checkDelegationCoversCanister`); (3) the certificate
   * itself against the subnet's `public_key` from the delegation, re-encoded without its delegation: the
   * signature covers the tree's root hash, not the bytes, and the received bytes were strictly decoded above.
   */
  async #verifyWithTreeRanges(decoded: DecodedCertificate, delegation: DecodedDelegation): Promise<HashTree> {
    const { rootKey, canisterId } = this.options;
    const delegationTree = await this.#verifyWithAgent(
      delegation.certificateBytes,
      rootKey,
      "the delegation's certificate does not verify against the root key",
      DELEGATION_MAX_AGE_MS,
    );
    try {
      checkDelegationCoversCanister(delegationTree, delegation.subnetId, canisterId);
    } catch (error) {
      throw IcWsClientError.from(error, ErrorCode.CertificateInvalid, 'certificate verification failed');
    }
    const subnetKey = lookupPath(delegationTree, ['subnet', delegation.subnetId.toUint8Array(), 'public_key']);
    if (subnetKey.status !== 'found') {
      throw new IcWsClientError(ErrorCode.CertificateInvalid, `the delegation holds no public key for subnet ${delegation.subnetId.toText()}`);
    }
    const undelegated = encodeCertificate({ tree: decoded.tree, signature: decoded.signature });
    return this.#verifyWithAgent(undelegated, subnetKey.value, `certificate verification against the key of subnet ${delegation.subnetId.toText()} failed`);
  }

  // Certificate.create checked the age when the certificate was first seen; a cached one keeps ageing.
  private checkAge(timeMs: number): void {
    const now = this.now() + (this.options.agent?.getTimeDiffMsecs() ?? 0);
    if (timeMs < now - this.options.maxAgeMs || timeMs > now + MAX_FUTURE_MS) {
      throw new IcWsClientError(
        ErrorCode.CertificateInvalid,
        `certificate time ${new Date(timeMs).toISOString()} is outside the accepted window (max age ${this.options.maxAgeMs} ms)`,
      );
    }
  }
}

/** Unsigned LEB128, as the IC encodes the certificate's `time` (nanoseconds). */
function decodeLeb128(bytes: Uint8Array): bigint {
  let value = 0n;
  let shift = 0n;
  for (const byte of bytes) {
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return value;
    shift += 7n;
  }
  throw new IcWsClientError(ErrorCode.CertificateInvalid, 'the certificate time is not LEB128');
}
