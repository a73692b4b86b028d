/**
 * The replica's ingress message size limit: `max_ingress_bytes_per_message` of an application subnet's
 * registry record, 2 MiB. A call whose signed request is larger is refused with 413 before its signature is
 * checked, worded as dfinity/ic `rs/http_endpoints/public/src/call.rs` words it.
 */
import { bytesToHex } from '@noble/hashes/utils';
import { ErrorCode } from 'ic-ws-protocol';
import { RequestError } from './request-error';

/** Largest ingress message (the whole signed request) an application subnet accepts, bytes. */
export const MAX_INGRESS_BYTES = 2 * 1024 * 1024;

/** @throws RequestError 413 when a signed request of `bytes` bytes is over `MAX_INGRESS_BYTES`. */
export function checkIngressSize(requestId: Uint8Array, bytes: number): void {
  if (bytes <= MAX_INGRESS_BYTES) return;
  throw new RequestError(
    ErrorCode.HttpBodyTooLarge,
    413,
    `Request ${bytesToHex(requestId)} is too large. Message byte size ${bytes} is larger than the max allowed ${MAX_INGRESS_BYTES}.`,
  );
}
