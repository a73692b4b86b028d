import { cborEncode, type CborEncodable } from 'ic-ws-protocol';
import type { RequestError } from './request-error';

/** What a handler answers: an HTTP status and a CBOR or plain-text body (none for 202). */
export interface HttpAnswer {
  readonly status: number;
  readonly body: Uint8Array | string | undefined;
}

/** A CBOR answer, with the self-describe tag as replicas send it. */
export function cborAnswer(value: CborEncodable, status = 200): HttpAnswer {
  return { status, body: cborEncode(value, { selfDescribe: true }) };
}

/** The plain-text answer a replica gives for a request it refuses before execution. */
export function errorAnswer(error: RequestError): HttpAnswer {
  return { status: error.httpStatus, body: error.message };
}
