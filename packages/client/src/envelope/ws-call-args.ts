import { IDL } from '@dfinity/candid';
import {
  CanisterWsOpenArgumentsIdl,
  wsServiceMethods,
  type CanisterWsOpenArguments,
  type WebsocketMessage,
} from 'ic-ws-protocol';

/** Candid arguments of `ws_open`. */
export function encodeWsOpenArg(args: CanisterWsOpenArguments): Uint8Array {
  return IDL.encode([CanisterWsOpenArgumentsIdl], [args]);
}

/**
 * Encodes the arguments of `ws_message` for one app: `({ msg }, opt AppMessage)` with the `opt` empty, as
 * the protocol requires (the canister never reads it; it is there to put the app type in the Candid).
 */
export class WsMessageArgEncoder {
  private readonly argTypes: IDL.Type[];

  constructor(appMessageIdl: IDL.Type) {
    this.argTypes = wsServiceMethods(appMessageIdl).ws_message.argTypes;
  }

  encode(msg: WebsocketMessage): Uint8Array {
    return IDL.encode(this.argTypes, [{ msg }, []]);
  }
}
