/**
 * The Candid bytes of a `ws_get_messages` reply, assembled from messages encoded once each: a canister keeps
 * every queued `CanisterOutputMessage` as its Candid value bytes ({@link encodeCanisterOutputMessage}, at
 * queueing time) and answers a poll by splicing them into the reply ({@link encodeMessagesReplyOk}), instead
 * of building objects and running the generic encoder over them on every poll. The bytes are exactly what
 * `IDL.encode([CanisterWsGetMessagesResultIdl], [{ Ok: reply }])` gives; the field order is read from the
 * IDL types, so a field added to them is encoded too.
 */
import { IDL } from '@dfinity/candid';
import { CanisterOutputCertifiedMessagesIdl, CanisterOutputMessageIdl, CanisterWsGetMessagesResultIdl, ClientKeyIdl } from './idl';
import { utf8Bytes } from '../hash-tree/label-bytes';
import type { CanisterOutputCertifiedMessages, CanisterOutputMessage } from './types';

/** A reply's fields other than `messages`, which come as {@link encodeCanisterOutputMessage} bytes. */
export type MessagesReplyFields = Omit<CanisterOutputCertifiedMessages, 'messages'>;

function fieldNames(type: IDL.Type): string[] {
  return (type as IDL.RecordClass)._fields.map(([name]) => name);
}

// Candid writes a record's fields in the order of their hashes: the order of `_fields`.
let layout: { message: string[]; clientKey: string[]; reply: [string, IDL.Type][]; prefix: Uint8Array; okIndex: number } | undefined;

function replyLayout(): NonNullable<typeof layout> {
  if (layout === undefined) {
    // The header (magic, type table, argument types) does not depend on the value: take it from any reply.
    const errValue = CanisterWsGetMessagesResultIdl.encodeValue({ Err: '' });
    const whole = IDL.encode([CanisterWsGetMessagesResultIdl], [{ Err: '' }]);
    layout = {
      message: fieldNames(CanisterOutputMessageIdl),
      clientKey: fieldNames(ClientKeyIdl),
      reply: (CanisterOutputCertifiedMessagesIdl as IDL.RecordClass)._fields,
      prefix: whole.slice(0, whole.length - errValue.length),
      okIndex: (CanisterWsGetMessagesResultIdl as IDL.VariantClass)._fields.findIndex(([name]) => name === 'Ok'),
    };
  }
  return layout;
}

/** Appends unsigned LEB128 of `n` (a safe integer) to `out`. */
function pushLeb(out: number[], n: number): void {
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
}

/**
 * The Candid value bytes (no header) of one `CanisterOutputMessage`: what `CanisterOutputMessageIdl
 * .encodeValue(message)` gives. `keyBytes`, the UTF-8 bytes of `message.key`, saves encoding it again when the
 * caller has them.
 */
export function encodeCanisterOutputMessage(message: CanisterOutputMessage, keyBytes?: Uint8Array): Uint8Array {
  const { message: order, clientKey } = replyLayout();
  const principal = message.client_key.client_principal.toUint8Array();
  const key = keyBytes ?? utf8Bytes(message.key);
  const parts: (number[] | Uint8Array)[] = [];
  for (const field of order) {
    const head: number[] = [];
    if (field === 'client_key') {
      for (const inner of clientKey) {
        if (inner === 'client_principal') {
          // A principal value: 1 (a public reference), its length, its bytes.
          head.push(1);
          pushLeb(head, principal.length);
          parts.push(head.splice(0), principal);
        } else {
          let nonce = BigInt.asUintN(64, message.client_key.client_nonce);
          for (let i = 0; i < 8; i++, nonce >>= 8n) head.push(Number(nonce & 0xffn));
          parts.push(head.splice(0));
        }
      }
    } else {
      const bytes = field === 'key' ? key : message.content;
      pushLeb(head, bytes.length);
      parts.push(head, bytes);
    }
  }
  return concatParts(parts);
}

/**
 * The Candid bytes of `variant { Ok = reply }` for `ws_get_messages`, where `messages` holds each message's
 * {@link encodeCanisterOutputMessage} bytes, in order. Equal to
 * `IDL.encode([CanisterWsGetMessagesResultIdl], [{ Ok: { ...fields, messages: <the decoded messages> } }])`.
 */
export function encodeMessagesReplyOk(fields: MessagesReplyFields, messages: readonly Uint8Array[]): Uint8Array {
  const { prefix, okIndex, reply } = replyLayout();
  const head: number[] = [];
  pushLeb(head, okIndex);
  const parts: (number[] | Uint8Array)[] = [prefix, head];
  for (const [name, type] of reply) {
    if (name === 'messages') {
      const count: number[] = [];
      pushLeb(count, messages.length);
      parts.push(count, ...messages);
    } else {
      parts.push(type.encodeValue((fields as unknown as Record<string, unknown>)[name]));
    }
  }
  return concatParts(parts);
}

function concatParts(parts: readonly (number[] | Uint8Array)[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
