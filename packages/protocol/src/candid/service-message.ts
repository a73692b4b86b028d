import { IDL } from '@dfinity/candid';
import { ErrorCode, ProtocolError } from '../errors';
import { WebsocketServiceMessageContentIdl } from './idl';
import type { WebsocketServiceMessageContent } from './types';
import { assertNoZeroSizedVectors } from './zero-sized-vec-guard';

/**
 * Service messages are tiny (the largest, OpenMessage, is ~120 bytes). The cap stops a hostile peer from
 * making us run the Candid decoder over megabytes it claims are a service message.
 */
export const MAX_SERVICE_MESSAGE_BYTES = 4096;

/** Candid-encodes a service message content (the `content` of a message with `is_service_message: true`). */
export function encodeServiceMessageContent(content: WebsocketServiceMessageContent): Uint8Array {
  try {
    return IDL.encode([WebsocketServiceMessageContentIdl], [withOptionalFields(content)]);
  } catch (error) {
    throw new ProtocolError(ErrorCode.CandidEncode, `cannot encode service message: ${reason(error)}`, { cause: error });
  }
}

/**
 * Decodes the Candid bytes of a service message content. Throws `ProtocolError` with code `CANDID_DECODE`
 * for anything that is not exactly one `WebsocketServiceMessageContent`, and `FIELD_TOO_LARGE` above
 * {@link MAX_SERVICE_MESSAGE_BYTES}.
 */
export function decodeServiceMessageContent(bytes: Uint8Array): WebsocketServiceMessageContent {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError(ErrorCode.CandidDecode, 'service message content must be a Uint8Array');
  }
  if (bytes.length > MAX_SERVICE_MESSAGE_BYTES) {
    throw new ProtocolError(
      ErrorCode.FieldTooLarge,
      `service message content: ${bytes.length} bytes, at most ${MAX_SERVICE_MESSAGE_BYTES} allowed`,
    );
  }
  assertNoZeroSizedVectors(bytes);
  let values: unknown[];
  try {
    values = IDL.decode([WebsocketServiceMessageContentIdl], bytes);
  } catch (error) {
    throw new ProtocolError(ErrorCode.CandidDecode, `invalid service message: ${reason(error)}`, { cause: error });
  }
  if (values.length !== 1) {
    throw new ProtocolError(ErrorCode.CandidDecode, `invalid service message: ${values.length} values, expected 1`);
  }
  return values[0] as WebsocketServiceMessageContent;
}

// Candid's encoder wants every record field, `opt` ones included; the extension fields may be left out.
function withOptionalFields(content: WebsocketServiceMessageContent): WebsocketServiceMessageContent {
  if ('OpenMessage' in content && content.OpenMessage.extensions === undefined) {
    return { OpenMessage: { ...content.OpenMessage, extensions: [] } };
  }
  return content;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
