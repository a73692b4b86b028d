import { Principal } from '@dfinity/principal';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { ErrorCode } from 'ic-ws-protocol';
import { FLAT_RANGES, type CanisterRangesFilter } from '../state/nns-delegation';
import { authenticateEnvelope } from './authenticate-envelope';
import { decodeEnvelope, type ReadStateEnvelope } from './envelope';
import { cborAnswer, type HttpAnswer } from './http-answer';
import type { InterfaceContext } from './interface-context';
import { RequestError } from './request-error';

/** Whose state a read_state addresses: a canister's (`/canister/<id>/read_state`) or the subnet's. */
export type ReadStateTarget = { readonly kind: 'canister'; readonly id: Principal } | { readonly kind: 'subnet'; readonly id: Principal };

const TIME = utf8ToBytes('time');
const CANISTER = utf8ToBytes('canister');
const REQUEST_STATUS = utf8ToBytes('request_status');
const SUBNET = utf8ToBytes('subnet');
const CANISTER_RANGES = utf8ToBytes('canister_ranges');

/**
 * `POST /api/v2|v3/canister/<id>/read_state` and `/api/v2|v3/subnet/<id>/read_state`: authenticates the
 * envelope, checks each path the way a replica does and answers 200 `{certificate}` with the state tree
 * pruned to those paths (plus `time`).
 *
 * Canister reads may ask for `time`, `canister/<that canister>/...`, `request_status/<id>/...` (only the
 * request's own sender, only for a call to that canister) and `subnet/...`; subnet reads for `time`,
 * `subnet/...` and `canister_ranges`. Anything else is refused with 404 "Invalid path requested.".
 */
export function handleReadState(context: InterfaceContext, target: ReadStateTarget, body: Uint8Array, version: 2 | 3 = 2): HttpAnswer {
  const { env, certifier } = context;
  const envelope = decodeEnvelope(body, 'read_state');
  if (target.kind === 'subnet' && target.id.compareTo(certifier.subnet.subnetId) !== 'eq') {
    throw new RequestError(ErrorCode.HttpRouteNotFound, 404, `Subnet ${target.id.toText()} not found`);
  }
  authenticateEnvelope(envelope, { now: env.now(), targetCanister: target.kind === 'canister' ? target.id : undefined });
  for (const path of envelope.paths) checkPath(context, target, envelope, path);
  return cborAnswer({ certificate: certifier.certify(envelope.paths, delegationRanges(target, version)) });
}

/**
 * The canister ranges the delegation reveals, as a replica's read_state picks them (dfinity/ic
 * http_endpoints/public read_state): v2 flat; v3 canister reads the tree shard of the effective canister;
 * v3 subnet reads none.
 */
function delegationRanges(target: ReadStateTarget, version: 2 | 3): CanisterRangesFilter {
  if (version === 2) return FLAT_RANGES;
  return target.kind === 'canister' ? { format: 'tree', canisterId: target.id } : { format: 'none' };
}

function checkPath(context: InterfaceContext, target: ReadStateTarget, envelope: ReadStateEnvelope, path: readonly Uint8Array[]): void {
  const [head, second] = path;
  if (head === undefined) throw invalidPath();
  if (same(head, TIME) || same(head, SUBNET)) return;
  if (target.kind === 'subnet') {
    if (same(head, CANISTER_RANGES)) return;
    throw invalidPath();
  }
  if (same(head, CANISTER)) {
    if (second !== undefined && !same(second, target.id.toUint8Array())) {
      throw new RequestError(
        ErrorCode.EffectiveCanisterMismatch,
        400,
        `Effective principal id in URL ${target.id.toText()} does not match requested canister id: ${Principal.fromUint8Array(second).toText()}.`,
      );
    }
    return;
  }
  if (same(head, REQUEST_STATUS)) {
    if (second === undefined) throw invalidPath();
    const record = context.certifier.requestStatuses.get(second);
    if (!record) return; // unknown ids are proven absent, as on the IC
    if (record.sender.compareTo(envelope.sender) !== 'eq') {
      throw new RequestError(ErrorCode.ReadStatePathInvalid, 403, 'Request IDs must be for requests signed by the caller.');
    }
    if (record.canisterId.compareTo(target.id) !== 'eq') {
      throw new RequestError(
        ErrorCode.EffectiveCanisterMismatch,
        400,
        `Request 0x${bytesToHex(second)} is addressed to canister ${record.canisterId.toText()}, not to ${target.id.toText()}.`,
      );
    }
    return;
  }
  throw invalidPath();
}

function invalidPath(): RequestError {
  return new RequestError(ErrorCode.ReadStatePathInvalid, 404, 'Invalid path requested.');
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
