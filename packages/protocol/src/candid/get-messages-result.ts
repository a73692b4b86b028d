import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { ErrorCode, ProtocolError } from '../errors';
import { CandidReader, candidError } from './candid-reader';
import {
  candidFieldId,
  readTypeTable,
  T_BOOL,
  T_NAT64,
  T_NAT8,
  T_OPT,
  T_PRINCIPAL,
  T_RECORD,
  T_TEXT,
  T_VARIANT,
  T_VEC,
  type TypeTableEntry,
} from './candid-type-table';
import { skipCandidValue, UnsupportedWireType } from './candid-value-skipper';
import { CanisterWsGetMessagesResultIdl } from './idl';
import type { CanisterOutputCertifiedMessages, CanisterOutputMessage, CanisterWsGetMessagesResult } from './types';

/**
 * Decodes the Candid reply of `ws_get_messages` (`variant { Ok : CanisterOutputCertifiedMessages; Err : text }`)
 * straight to the fields the gateway uses, without the generic IDL decoder's per-value work: a reply of 50
 * messages is read in one pass. The result equals `IDL.decode([CanisterWsGetMessagesResultIdl], bytes)[0]`,
 * except that `cert`, `tree`, each `content` and each principal's bytes are views into `bytes` (no copies: do
 * not modify `bytes` while the result is in use).
 *
 * Replies whose types are not the usual ones but still valid Candid for this type (fields in another table
 * order, extra record fields, which are skipped, an `Ok`-only variant) decode here too; anything more
 * exotic (extra reply values, func or service values in extra fields, missing fields) goes through the
 * generic decoder, which applies Candid's subtyping rules, so both paths accept and refuse the same bytes.
 *
 * @throws ProtocolError `CANDID_DECODE` for bytes that are not a valid reply of this type: truncated or
 *   trailing bytes, a wrong type, invalid UTF-8, a boolean other than 0 or 1, a vector of a zero-sized type.
 */
export function decodeWsGetMessagesResult(bytes: Uint8Array): CanisterWsGetMessagesResult {
  const reader = new CandidReader(bytes);
  const table = readTypeTable(reader);
  const plan = planResult(reader, table);
  if (plan === undefined) return decodeGeneric(bytes);
  let result: CanisterWsGetMessagesResult;
  try {
    result = readResult(reader, plan, { table, elementBudget: bytes.length });
  } catch (error) {
    if (error instanceof UnsupportedWireType) return decodeGeneric(bytes);
    throw error;
  }
  if (reader.remaining > 0) throw candidError(`${reader.remaining} bytes left over after the reply`);
  return result;
}

const ID = {
  Ok: candidFieldId('Ok'),
  Err: candidFieldId('Err'),
  messages: candidFieldId('messages'),
  cert: candidFieldId('cert'),
  tree: candidFieldId('tree'),
  is_end_of_queue: candidFieldId('is_end_of_queue'),
  next_nonce: candidFieldId('next_nonce'),
  client_key: candidFieldId('client_key'),
  key: candidFieldId('key'),
  content: candidFieldId('content'),
  client_principal: candidFieldId('client_principal'),
  client_nonce: candidFieldId('client_nonce'),
};

/** What to do with each wire field of a record, in wire order: read it as a known field, or skip it. */
type FieldStep<Name extends string> = { name: Name } | { skip: number };

interface ResultPlan {
  /** Wire type of each variant alternative, by index: `Ok` (the batch) or `Err` (text). */
  alternatives: ('Ok' | 'Err')[];
  batch: FieldStep<'messages' | 'cert' | 'tree' | 'is_end_of_queue' | 'next_nonce'>[];
  message: FieldStep<'client_key' | 'key' | 'content'>[];
  clientKey: FieldStep<'client_principal' | 'client_nonce'>[];
}

/** The plan for the usual reply types, or undefined when the generic decoder must judge them. */
function planResult(reader: CandidReader, table: TypeTableEntry[]): ResultPlan | undefined {
  const argCount = reader.leb();
  if (argCount !== 1) return undefined;
  const variant = entryOf(table, reader.sleb(), T_VARIANT);
  if (variant === undefined) return undefined;
  const alternatives: ('Ok' | 'Err')[] = [];
  let okRef: number | undefined;
  for (let i = 0; i < variant.ids.length; i++) {
    const id = variant.ids[i];
    const ref = variant.refs[i]!;
    if (id === ID.Ok) {
      okRef = ref;
      alternatives.push('Ok');
    } else if (id === ID.Err && ref === T_TEXT) {
      alternatives.push('Err');
    } else {
      return undefined;
    }
  }
  // A reply type without Ok can only carry Err: nothing to plan past it.
  if (okRef === undefined) return { alternatives, batch: [], message: [], clientKey: [] };
  const batch = planRecord(
    table,
    okRef,
    {
      messages: (ref) => isVecOf(table, ref, (inner) => entryOf(table, inner, T_RECORD) !== undefined),
      cert: (ref) => isBlob(table, ref),
      tree: (ref) => isBlob(table, ref),
      is_end_of_queue: (ref) => ref === T_BOOL,
      // The ic-ws extension: replies of the public canister library have no such field.
      next_nonce: (ref) => entryOf(table, ref, T_OPT)?.refs[0] === T_NAT64,
    },
    ['next_nonce'],
  );
  if (batch === undefined) return undefined;
  const messagesRef = table[okRef]!.refs[table[okRef]!.ids.indexOf(ID.messages)]!;
  const messageRef = table[messagesRef]!.refs[0]!;
  const message = planRecord(table, messageRef, {
    client_key: (ref) => entryOf(table, ref, T_RECORD) !== undefined,
    key: (ref) => ref === T_TEXT,
    content: (ref) => isBlob(table, ref),
  });
  if (message === undefined) return undefined;
  const clientKeyRef = table[messageRef]!.refs[table[messageRef]!.ids.indexOf(ID.client_key)]!;
  const clientKey = planRecord(table, clientKeyRef, {
    client_principal: (ref) => ref === T_PRINCIPAL,
    client_nonce: (ref) => ref === T_NAT64,
  });
  if (clientKey === undefined) return undefined;
  return { alternatives, batch, message, clientKey };
}

/**
 * Steps for the record at `ref` when each expected field is present with the type its check accepts; other
 * fields are skipped. Undefined when a field is missing or of another type (the generic decoder decides).
 */
function planRecord<Name extends keyof typeof ID>(
  table: TypeTableEntry[],
  ref: number,
  expected: Record<Name, (ref: number) => boolean>,
  optional: readonly NoInfer<Name>[] = [],
): FieldStep<Name>[] | undefined {
  const record = entryOf(table, ref, T_RECORD);
  if (record === undefined) return undefined;
  const names = Object.keys(expected) as Name[];
  const steps: FieldStep<Name>[] = [];
  let found = 0;
  for (let i = 0; i < record.ids.length; i++) {
    const name = names.find((candidate) => ID[candidate] === record.ids[i]);
    if (name === undefined) {
      steps.push({ skip: record.refs[i]! });
    } else {
      if (!expected[name](record.refs[i]!)) return undefined;
      steps.push({ name });
      found += 1;
    }
  }
  const foundOptional = optional.filter((name) => steps.some((step) => 'name' in step && step.name === name)).length;
  return found === names.length - optional.length + foundOptional ? steps : undefined;
}

function entryOf(table: TypeTableEntry[], ref: number, op: number): TypeTableEntry | undefined {
  const entry = ref >= 0 ? table[ref] : undefined;
  return entry?.op === op ? entry : undefined;
}

function isVecOf(table: TypeTableEntry[], ref: number, inner: (ref: number) => boolean): boolean {
  const vec = entryOf(table, ref, T_VEC);
  return vec !== undefined && inner(vec.refs[0]!);
}

function isBlob(table: TypeTableEntry[], ref: number): boolean {
  return isVecOf(table, ref, (inner) => inner === T_NAT8);
}

interface ReadContext {
  table: TypeTableEntry[];
  /** Vector elements the skipper may still walk (see `skipCandidValue`). */
  elementBudget: number;
}

function readResult(reader: CandidReader, plan: ResultPlan, context: ReadContext): CanisterWsGetMessagesResult {
  const index = reader.leb();
  const alternative = plan.alternatives[index];
  if (alternative === undefined) throw candidError(`variant index ${index} out of range`);
  if (alternative === 'Err') return { Err: readText(reader) };
  return { Ok: readBatch(reader, plan, context) };
}

function readBatch(reader: CandidReader, plan: ResultPlan, context: ReadContext): CanisterOutputCertifiedMessages {
  let messages: CanisterOutputMessage[] = [];
  let cert = EMPTY;
  let tree = EMPTY;
  let isEndOfQueue = false;
  let nextNonce: [] | [bigint] = [];
  for (const step of plan.batch) {
    if ('skip' in step) {
      skip(reader, step.skip, context);
      continue;
    }
    switch (step.name) {
      case 'messages': {
        const count = reader.bounded(reader.leb());
        messages = new Array<CanisterOutputMessage>(count);
        for (let i = 0; i < count; i++) messages[i] = readMessage(reader, plan, context);
        break;
      }
      case 'cert':
        cert = reader.view(reader.leb());
        break;
      case 'tree':
        tree = reader.view(reader.leb());
        break;
      case 'is_end_of_queue':
        isEndOfQueue = readBool(reader);
        break;
      case 'next_nonce': {
        const tag = reader.byte();
        if (tag > 1) throw candidError(`opt tag ${tag}`);
        nextNonce = tag === 1 ? [reader.u64()] : [];
        break;
      }
    }
  }
  return { messages, cert, tree, is_end_of_queue: isEndOfQueue, next_nonce: nextNonce };
}

function readMessage(reader: CandidReader, plan: ResultPlan, context: ReadContext): CanisterOutputMessage {
  let clientPrincipal: Principal | undefined;
  let clientNonce = 0n;
  let key = '';
  let content = EMPTY;
  for (const step of plan.message) {
    if ('skip' in step) {
      skip(reader, step.skip, context);
    } else if (step.name === 'client_key') {
      for (const keyStep of plan.clientKey) {
        if ('skip' in keyStep) skip(reader, keyStep.skip, context);
        else if (keyStep.name === 'client_principal') clientPrincipal = readPrincipal(reader);
        else clientNonce = reader.u64();
      }
    } else if (step.name === 'key') {
      key = readText(reader);
    } else {
      content = reader.view(reader.leb());
    }
  }
  // The plan holds every field of the client key, so the principal was read.
  return { client_key: { client_principal: clientPrincipal!, client_nonce: clientNonce }, key, content };
}

function skip(reader: CandidReader, ref: number, context: ReadContext): void {
  skipCandidValue(reader, ref, context.table, context);
}

const EMPTY: Uint8Array = new Uint8Array(0);
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function readText(reader: CandidReader): string {
  const bytes = reader.view(reader.leb());
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    throw new ProtocolError(ErrorCode.CandidDecode, 'invalid Candid: text is not UTF-8', { cause: error });
  }
}

function readBool(reader: CandidReader): boolean {
  const byte = reader.byte();
  if (byte > 1) throw candidError(`bool byte ${byte}`);
  return byte === 1;
}

function readPrincipal(reader: CandidReader): Principal {
  if (reader.byte() !== 1) throw candidError('principal reference is not an id');
  return Principal.fromUint8Array(reader.view(reader.leb()));
}

function decodeGeneric(bytes: Uint8Array): CanisterWsGetMessagesResult {
  try {
    return IDL.decode([CanisterWsGetMessagesResultIdl], bytes)[0] as unknown as CanisterWsGetMessagesResult;
  } catch (error) {
    throw new ProtocolError(ErrorCode.CandidDecode, `invalid Candid: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
