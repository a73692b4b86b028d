/**
 * Candid types of the ws-test canister, shared by the canister (bundled by azle) and the tests. It imports
 * only @dfinity/candid, so the tests load it in Node and tsc checks it.
 */
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { ClientKeyIdl, type ClientKey } from 'ic-ws-protocol';

/** The app message, both directions: `record { text : text; n : nat32 }`. */
export const AppMessageIdl = IDL.Record({ text: IDL.Text, n: IDL.Nat32 });
export interface AppMessage {
  text: string;
  n: number;
}

/** Init and post_upgrade argument: options of the core that tests shorten. */
export const InitArgIdl = IDL.Opt(
  IDL.Record({
    send_ack_interval_ms: IDL.Opt(IDL.Nat32),
    keep_alive_timeout_ms: IDL.Opt(IDL.Nat32),
    max_messages_per_poll: IDL.Opt(IDL.Nat32),
    max_reply_bytes: IDL.Opt(IDL.Nat32),
  }),
);
export interface InitOptions {
  send_ack_interval_ms: [] | [number];
  keep_alive_timeout_ms: [] | [number];
  max_messages_per_poll: [] | [number];
  max_reply_bytes: [] | [number];
}
export type InitArg = [] | [InitOptions];

/** Who an app call addresses: one connection or every connection of a principal. */
export const TargetIdl = IDL.Variant({ Client: ClientKeyIdl, Principal: IDL.Principal });
export type Target = { Client: ClientKey } | { Principal: Principal };

/** `variant { Ok : null; Err : text }`; Err is `<ErrorCode>: <message>` of the CanisterError thrown. */
export const ResultIdl = IDL.Variant({ Ok: IDL.Null, Err: IDL.Text });
export type Result = { Ok: null } | { Err: string };

/** A handler call the canister recorded: kind `open`, `message` or `close`; detail = text or close reason. */
export const EventIdl = IDL.Record({ kind: IDL.Text, client: ClientKeyIdl, detail: IDL.Text });
export interface WsTestEvent {
  kind: string;
  client: ClientKey;
  detail: string;
}

/** One app method of the canister: Candid argument types, return type, and whether it is a query. */
export interface WsTestMethod {
  args: IDL.Type[];
  ret: IDL.Type;
  query: boolean;
}

/** The app methods of the canister beyond the four ws_* methods. */
export const WS_TEST_APP_METHODS = {
  send: { args: [TargetIdl, AppMessageIdl], ret: ResultIdl, query: false },
  send_many: { args: [TargetIdl, IDL.Nat32, IDL.Nat32], ret: ResultIdl, query: false },
  broadcast: { args: [AppMessageIdl], ret: IDL.Nat32, query: false },
  close: { args: [TargetIdl], ret: ResultIdl, query: false },
  clients: { args: [], ret: IDL.Vec(ClientKeyIdl), query: true },
  is_connected: { args: [TargetIdl], ret: IDL.Bool, query: true },
  events: { args: [], ret: IDL.Vec(EventIdl), query: true },
} satisfies Record<string, WsTestMethod>;
