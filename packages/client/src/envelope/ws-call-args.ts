import { IDL } from '@dfinity/candid';
import {
  CanisterWsOpenArgumentsIdl,
  wsServiceMethods,
  type CanisterWsOpenArguments,
  type ClientMessageId,
  type WebsocketMessage,
} from 'ic-ws-protocol';

/** Candid arguments of `ws_open`. */
export function encodeWsOpenArg(args: CanisterWsOpenArguments): Uint8Array {
  return IDL.encode([CanisterWsOpenArgumentsIdl], [args]);
}

/**
 * Encodes the arguments of `ws_message` for one app: `({ msg, message_id }, opt AppMessage)` with the `opt`
 * empty, as the protocol requires (the canister never reads it; it is there to put the app type in the Candid).
 * `message_id` (ic-ws extension `receipts`) is sent only when given.
 */
export class WsMessageArgEncoder {
  private readonly argTypes: IDL.Type[];

  constructor(appMessageIdl: IDL.Type) {
    this.argTypes = wsServiceMethods(appMessageIdl).ws_message.argTypes;
  }

  encode(msg: WebsocketMessage, messageId?: ClientMessageId): Uint8Array {
    return IDL.encode(this.argTypes, [{ msg, message_id: messageId === undefined ? [] : [messageId] }, []]);
  }
}
