import { IDL } from '@dfinity/candid';
import {
  CanisterWsCloseArgumentsIdl,
  CanisterWsCloseResultIdl,
  CanisterWsGetMessagesArgumentsIdl,
  CanisterWsGetMessagesResultIdl,
  CanisterWsMessageArgumentsIdl,
  CanisterWsMessageResultIdl,
  CanisterWsOpenArgumentsIdl,
  CanisterWsOpenResultIdl,
} from './idl';
import { idlFactoryOf } from './idl-factory';
import type {
  CanisterWsCloseArguments,
  CanisterWsCloseResult,
  CanisterWsGetMessagesArguments,
  CanisterWsGetMessagesResult,
  CanisterWsMessageArguments,
  CanisterWsMessageResult,
  CanisterWsOpenArguments,
  CanisterWsOpenResult,
} from './types';

/** The names of the four methods every IC WebSocket canister exposes. */
export type WsServiceMethodName = 'ws_open' | 'ws_close' | 'ws_message' | 'ws_get_messages';

/**
 * The four methods as TypeScript signatures: what a canister's entry points take and return, and (wrapped
 * in `ActorMethod`) what an actor's methods take and resolve to. The second argument of `ws_message` is
 * `opt AppMessage` in Candid, never read by the canister.
 */
export interface WsServiceSignatures<AppMessage = null> {
  ws_open(args: CanisterWsOpenArguments): CanisterWsOpenResult;
  ws_close(args: CanisterWsCloseArguments): CanisterWsCloseResult;
  ws_message(args: CanisterWsMessageArguments, appMessage: [] | [AppMessage]): CanisterWsMessageResult;
  ws_get_messages(args: CanisterWsGetMessagesArguments): CanisterWsGetMessagesResult;
}

/** Argument and return types of one method, and whether it is a query. */
export interface WsServiceMethod {
  argTypes: [IDL.Type, ...IDL.Type[]];
  retTypes: [IDL.Type, ...IDL.Type[]];
  query: boolean;
}

/**
 * The app message type used when a caller gives none: `null`. The second argument of `ws_message` is never
 * read and clients always send it as an empty `opt`; by Candid's rule for `opt`, an empty `opt null` decodes
 * as "no value" against any `opt AppMessage`, so this default is wire-compatible with every canister.
 */
export const DEFAULT_APP_MESSAGE_IDL: IDL.Type = IDL.Null;

/**
 * The per-method table of the WebSocket service, for canister libraries that register methods themselves.
 *
 * @param appMessageIdl - the application's message type, shown as `opt AppMessage` in `ws_message`.
 */
export function wsServiceMethods(appMessageIdl: IDL.Type = DEFAULT_APP_MESSAGE_IDL): Record<WsServiceMethodName, WsServiceMethod> {
  return {
    ws_open: { argTypes: [CanisterWsOpenArgumentsIdl], retTypes: [CanisterWsOpenResultIdl], query: false },
    ws_close: { argTypes: [CanisterWsCloseArgumentsIdl], retTypes: [CanisterWsCloseResultIdl], query: false },
    ws_message: {
      argTypes: [CanisterWsMessageArgumentsIdl, IDL.Opt(appMessageIdl)],
      retTypes: [CanisterWsMessageResultIdl],
      query: false,
    },
    ws_get_messages: {
      argTypes: [CanisterWsGetMessagesArgumentsIdl],
      retTypes: [CanisterWsGetMessagesResultIdl],
      query: true,
    },
  };
}

/**
 * The four WebSocket methods as Candid function types, to spread into the `IDL.Service` of a canister that
 * has methods of its own.
 *
 * @param appMessageIdl - the application's message type, shown as `opt AppMessage` in `ws_message`.
 */
export function wsServiceFields(appMessageIdl: IDL.Type = DEFAULT_APP_MESSAGE_IDL): Record<WsServiceMethodName, IDL.FuncClass> {
  const methods = wsServiceMethods(appMessageIdl);
  const fields = {} as Record<WsServiceMethodName, IDL.FuncClass>;
  for (const name of Object.keys(methods) as WsServiceMethodName[]) {
    const method = methods[name];
    fields[name] = IDL.Func(method.argTypes, method.retTypes, method.query ? ['query'] : []);
  }
  return fields;
}

/**
 * An interface factory (as `Actor.createActor` takes) for the four WebSocket methods. It builds every type
 * with the `IDL` it is handed, the app message type included, so it serves an agent on any
 * `@dfinity/candid` version.
 *
 * @example
 * const actor = Actor.createActor(wsServiceIdlFactory(MyAppMessageIdl), { agent, canisterId });
 */
export function wsServiceIdlFactory(appMessageIdl: IDL.Type = DEFAULT_APP_MESSAGE_IDL): IDL.InterfaceFactory {
  return idlFactoryOf(IDL.Service(wsServiceFields(appMessageIdl)));
}

/**
 * The Candid (.did) text of the WebSocket interface, for docs, tests and canisters that publish their .did.
 *
 * @param appMessageDidName - the Candid name (or inline type) of the app message; it must be defined elsewhere
 *   in the final .did unless it is a primitive. Defaults to `null`, like {@link DEFAULT_APP_MESSAGE_IDL}.
 */
export function wsServiceDid(appMessageDidName = 'null'): string {
  return `type ClientPrincipal = principal;
type GatewayPrincipal = principal;
type ClientKey = record { client_principal : ClientPrincipal; client_nonce : nat64 };
type WebsocketMessage = record {
  client_key : ClientKey;
  sequence_num : nat64;
  timestamp : nat64;
  is_service_message : bool;
  content : blob;
};
type CanisterOutputMessage = record { client_key : ClientKey; key : text; content : blob };
type CanisterOutputCertifiedMessages = record {
  messages : vec CanisterOutputMessage;
  cert : blob;
  tree : blob;
  is_end_of_queue : bool;
  next_nonce : opt nat64;
};
type CanisterWsOpenArguments = record { client_nonce : nat64; gateway_principal : GatewayPrincipal };
type CanisterWsOpenResult = variant { Ok : null; Err : text };
type CanisterWsCloseArguments = record { client_key : ClientKey };
type CanisterWsCloseResult = variant { Ok : null; Err : text };
type ClientMessageId = record { outbox : blob; index : nat64 };
type CanisterWsMessageArguments = record { msg : WebsocketMessage; message_id : opt ClientMessageId };
type CanisterWsMessageResult = variant { Ok : null; Err : text };
type CanisterWsGetMessagesArguments = record { nonce : nat64 };
type CanisterWsGetMessagesResult = variant { Ok : CanisterOutputCertifiedMessages; Err : text };

service : {
  ws_open : (CanisterWsOpenArguments) -> (CanisterWsOpenResult);
  ws_close : (CanisterWsCloseArguments) -> (CanisterWsCloseResult);
  ws_message : (CanisterWsMessageArguments, opt ${appMessageDidName}) -> (CanisterWsMessageResult);
  ws_get_messages : (CanisterWsGetMessagesArguments) -> (CanisterWsGetMessagesResult) query;
}
`;
}
