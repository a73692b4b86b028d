/**
 * Test-only helpers shared by the unit tests of this package (not exported): a canister over a fake host with
 * every handler call recorded, principals by number, and ws_message argument builders.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { encodeServiceMessageContent, type ClientKey, type WebsocketServiceMessageContent } from 'ic-ws-protocol';
import type { StableStore } from '../stable-store';
import { createWsCanister, type IcWebSocketCanister } from '../ws-canister';
import type { WsCanisterOptions } from '../ws-canister-options';
import type { WsCloseReason } from '../ws-close-reason';
import { FakeCanisterHost } from './fake-canister-host';
import { FakeGateway } from './fake-gateway';

/** A distinct non-anonymous principal per (kind, n). */
export function principal(n: number, kind: 'client' | 'gateway' = 'client'): Principal {
  return Principal.fromUint8Array(Uint8Array.of(kind === 'client' ? 0x11 : 0x22, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, 0x01));
}

export const GATEWAY = principal(1, 'gateway');

/** A handler call the canister made. */
export type HandlerEvent =
  | { type: 'open'; client: string }
  | { type: 'message'; client: string; message: string }
  | { type: 'close'; client: string; reason: WsCloseReason };

/** `<principal>:<nonce>` of a client key, for readable assertions. */
export function idOf(key: ClientKey): string {
  return `${key.client_principal.toText()}:${key.client_nonce}`;
}

/** A canister with `IDL.Text` app messages over a fake host, started, with a fake gateway and recorded events. */
export function setup(options: Partial<WsCanisterOptions<string>> = {}, stableStore?: StableStore, nowNs?: bigint) {
  const host = new FakeCanisterHost({ stableStore, nowNs });
  const events: HandlerEvent[] = [];
  const ws: IcWebSocketCanister<string> = createWsCanister<string>(host, {
    appMessageIdl: IDL.Text,
    onOpen: (client) => events.push({ type: 'open', client: idOf(client) }),
    onMessage: (client, message) => events.push({ type: 'message', client: idOf(client), message }),
    onClose: (client, reason) => events.push({ type: 'close', client: idOf(client), reason }),
    ...options,
  });
  ws.start();
  const gateway = new FakeGateway(GATEWAY, ws as IcWebSocketCanister<unknown>, host, IDL.Text);
  /** Opens a connection of client `n` (nonce `nonce`) through `gatewayPrincipal`; returns its key. */
  const open = (n: number, nonce = 1n, gatewayPrincipal = GATEWAY): ClientKey => {
    const caller = principal(n);
    const result = ws.wsOpen({ client_nonce: nonce, gateway_principal: gatewayPrincipal }, caller);
    if ('Err' in result) throw new Error(`ws_open failed: ${result.Err}`);
    return { client_principal: caller, client_nonce: nonce };
  };
  /** Sends an app message from `key` with sequence number `seq`. */
  const sendText = (key: ClientKey, seq: bigint, text: string) =>
    ws.wsMessage({ msg: appMessage(key, seq, IDL.encode([IDL.Text], [text])) }, key.client_principal);
  /** Sends a service message from `key` with sequence number `seq`. */
  const sendService = (key: ClientKey, seq: bigint, content: WebsocketServiceMessageContent) =>
    ws.wsMessage({ msg: serviceMessage(key, seq, content) }, key.client_principal);
  return { host, ws, gateway, events, open, sendText, sendService };
}

/** A client -> canister app message. */
export function appMessage(key: ClientKey, seq: bigint, content: Uint8Array) {
  return { client_key: key, sequence_num: seq, timestamp: 1n, is_service_message: false, content };
}

/** A client -> canister service message. */
export function serviceMessage(key: ClientKey, seq: bigint, content: WebsocketServiceMessageContent) {
  return { client_key: key, sequence_num: seq, timestamp: 1n, is_service_message: true, content: encodeServiceMessageContent(content) };
}
