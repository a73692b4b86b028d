import { ErrorCode, ProtocolError } from '../errors';

/**
 * Size limits the frame decoders enforce, so a hostile peer cannot make a gateway or client hold or walk
 * megabytes where bytes are expected. Every decoder takes a `Partial<FrameLimits>` to override the defaults.
 */
export interface FrameLimits {
  /**
   * Largest handshake frame (one principal plus a few bytes of framing).
   * @default 1024
   */
  maxHandshakeFrameBytes: number;
  /**
   * Largest client request frame: the IC refuses ingress messages above 2 MiB, and the frame adds 13 bytes.
   * @default 2 MiB + 64
   */
  maxClientRequestFrameBytes: number;
  /**
   * Largest canister message frame: content is bounded by the 3 MiB query reply, plus certificate and witness.
   * @default 4 MiB
   */
  maxCanisterMessageFrameBytes: number;
  /**
   * Longest `method_name` of an envelope.
   * @default 1024
   */
  maxMethodNameLength: number;
  /**
   * Largest `nonce` of an envelope (the IC's own limit).
   * @default 32
   */
  maxNonceBytes: number;
  /**
   * Largest `sender_pubkey` or delegation `pubkey` (DER keys are under 100 bytes; WebAuthn COSE keys and
   * canister-signature keys are a few hundred).
   * @default 1024
   */
  maxPublicKeyBytes: number;
  /**
   * Largest `sender_sig` or delegation `signature` (canister signatures carry a certificate and a tree).
   * @default 64 KiB
   */
  maxSignatureBytes: number;
  /**
   * Most delegations in `sender_delegation` (the IC accepts at most 20).
   * @default 20
   */
  maxDelegations: number;
  /**
   * Most `targets` of one delegation (the IC accepts at most 1000).
   * @default 1000
   */
  maxDelegationTargets: number;
  /**
   * Longest outgoing message `key` (a principal's text is at most 63 characters, plus `_` and 20 digits).
   * @default 100
   */
  maxKeyLength: number;
  /**
   * Largest `cert` of a canister message frame.
   * @default 256 KiB
   */
  maxCertificateBytes: number;
  /**
   * Largest `tree` (witness) of a canister message frame.
   * @default 1 MiB
   */
  maxWitnessBytes: number;
}

/** The limits every frame decoder applies unless told otherwise; see {@link FrameLimits} for the reasons. */
export const DEFAULT_FRAME_LIMITS: Readonly<FrameLimits> = Object.freeze({
  maxHandshakeFrameBytes: 1024,
  maxClientRequestFrameBytes: 2 * 1024 * 1024 + 64,
  maxCanisterMessageFrameBytes: 4 * 1024 * 1024,
  maxMethodNameLength: 1024,
  maxNonceBytes: 32,
  maxPublicKeyBytes: 1024,
  maxSignatureBytes: 64 * 1024,
  maxDelegations: 20,
  maxDelegationTargets: 1000,
  maxKeyLength: 100,
  maxCertificateBytes: 256 * 1024,
  maxWitnessBytes: 1024 * 1024,
});

/** Merges caller overrides over the defaults (no copy when there are none: decoders run per frame). */
export function resolveFrameLimits(limits: Partial<FrameLimits> | undefined): Readonly<FrameLimits> {
  return limits === undefined ? DEFAULT_FRAME_LIMITS : { ...DEFAULT_FRAME_LIMITS, ...limits };
}

/** Rejects a frame above `max` bytes before any decoding work. */
export function checkFrameSize(bytes: Uint8Array, max: number, what: string): void {
  if (bytes instanceof Uint8Array && bytes.length > max) {
    throw new ProtocolError(ErrorCode.FieldTooLarge, `${what}: ${bytes.length} bytes, at most ${max} allowed`);
  }
}
