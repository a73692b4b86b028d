/**
 * Test-only helpers shared by the unit tests of this package (not exported): a canister over a fake host with
 * every handler call recorded, principals by number, and ws_message argument builders.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import {
  encodeServiceMessageContent,
  type CanisterWsCloseResult,
  type CanisterWsMessageResult,
  type ClientKey,
  type WebsocketServiceMessageContent,
} from 'ic-ws-protocol';
import { MemoryStableStore, type StableStore } from '../stable-store';
import { createWsCanister, type IcWebSocketCanister } from '../ws-canister';
import type { WsCanisterOptions } from '../ws-canister-options';
import type { WsCloseReason } from '../ws-close-reason';
import { FakeCanisterHost } from './fake-canister-host';
import { FakePollingGateway } from './fake-polling-gateway';

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

/** A canister under test, its fake runtime and gateway, and helpers that always act on the current instance. */
export interface Harness {
  host: FakeCanisterHost;
  ws: IcWebSocketCanister<string>;
  readonly gateway: FakePollingGateway;
  readonly events: HandlerEvent[];
  readonly store: StableStore;
  /**
   * Opens a connection of client `n` (nonce `nonce`) through `gatewayPrincipal`; returns its key. The gateway
   * proves itself first with a presence `ws_close` (as ic-ws-gateway does once it has polled), so the client
   * gets no early ack (see gateway-admission.ts).
   */
  open(n: number, nonce?: bigint, gatewayPrincipal?: Principal): ClientKey;
  /** The presence call a gateway makes to confirm itself: `ws_close` naming its own principal. */
  presence(gatewayPrincipal?: Principal): CanisterWsCloseResult;
  /** Sends an app message from `key` with sequence number `seq`. */
  sendText(key: ClientKey, seq: bigint, text: string): CanisterWsMessageResult;
  /** Sends a service message from `key` with sequence number `seq`. */
  sendService(key: ClientKey, seq: bigint, content: WebsocketServiceMessageContent): CanisterWsMessageResult;
  /**
   * Simulates an upgrade `afterMs` later: timers and heap die, a new instance with the same options starts over
   * the same stable store, and the gateway polls it from then on.
   */
  upgrade(afterMs?: number): void;
}

/** A canister with `IDL.Text` app messages over a fake host, started, with a fake gateway and recorded events. */
export function setup(options: Partial<WsCanisterOptions<string>> = {}, stableStore: StableStore = new MemoryStableStore(), nowNs?: bigint): Harness {
  const events: HandlerEvent[] = [];
  const create = (host: FakeCanisterHost) => {
    const ws = createWsCanister<string>(host, {
      appMessageIdl: IDL.Text,
      onOpen: (client) => events.push({ type: 'open', client: idOf(client) }),
      onMessage: (client, message) => events.push({ type: 'message', client: idOf(client), message }),
      onClose: (client, reason) => events.push({ type: 'close', client: idOf(client), reason }),
      ...options,
    });
    ws.start();
    return ws;
  };
  const host = new FakeCanisterHost({ stableStore, nowNs });
  const ws = create(host);
  const harness: Harness = {
    host,
    ws,
    gateway: new FakePollingGateway(GATEWAY, ws, host, IDL.Text),
    events,
    store: stableStore,
    open(n, nonce = 1n, gatewayPrincipal = GATEWAY) {
      const caller = principal(n);
      const presence = harness.presence(gatewayPrincipal);
      if ('Err' in presence) throw new Error(`presence failed: ${presence.Err}`);
      const result = harness.ws.wsOpen({ client_nonce: nonce, gateway_principal: gatewayPrincipal }, caller);
      if ('Err' in result) throw new Error(`ws_open failed: ${result.Err}`);
      return { client_principal: caller, client_nonce: nonce };
    },
    presence: (gatewayPrincipal = GATEWAY) =>
      harness.ws.wsClose({ client_key: { client_principal: gatewayPrincipal, client_nonce: 0n } }, gatewayPrincipal),
    sendText: (key, seq, text) => harness.ws.wsMessage({ msg: appMessage(key, seq, IDL.encode([IDL.Text], [text])) }, key.client_principal),
    sendService: (key, seq, content) => harness.ws.wsMessage({ msg: serviceMessage(key, seq, content) }, key.client_principal),
    upgrade(afterMs = 5_000) {
      harness.ws.stop();
      harness.host.dropTimers();
      harness.host = new FakeCanisterHost({ stableStore, nowNs: harness.host.time() + BigInt(afterMs) * 1_000_000n });
      harness.ws = create(harness.host);
      harness.gateway.attach(harness.ws, harness.host);
    },
  };
  return harness;
}

/** A client -> canister app message. */
export function appMessage(key: ClientKey, seq: bigint, content: Uint8Array) {
  return { client_key: key, sequence_num: seq, timestamp: 1n, is_service_message: false, content };
}

/** A client -> canister service message. */
export function serviceMessage(key: ClientKey, seq: bigint, content: WebsocketServiceMessageContent) {
  return { client_key: key, sequence_num: seq, timestamp: 1n, is_service_message: true, content: encodeServiceMessageContent(content) };
}
