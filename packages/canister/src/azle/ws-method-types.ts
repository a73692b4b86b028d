import type { IDL } from '@dfinity/candid';
import { wsServiceMethods, type WsServiceMethodName } from 'ic-ws-protocol';

/** Candid argument and return types of one WebSocket method, in the shape azle's decorators take. */
export interface WsMethodTypes {
  /** Pass as the first argument of `@update`/`@query`. */
  readonly args: IDL.Type[];
  /** Pass as the second argument of `@update`/`@query`. */
  readonly ret: IDL.Type;
}

/**
 * The exact Candid types of `ws_open`, `ws_close`, `ws_message` and `ws_get_messages` (protocol.md section
 * 2), from protocol's `wsServiceMethods`, so the four methods of a canister are one decorator each.
 * `ws_get_messages` must be declared with `@query` (it returns the data certificate), the others `@update`.
 *
 * @example
 * ```ts
 * const t = wsMethodTypes(AppMessage);
 * class Canister {
 *   @update(t.ws_open.args, t.ws_open.ret) ws_open(args: CanisterWsOpenArguments) { return ws.wsOpen(args); }
 *   // Manual: the core replies with Candid bytes assembled from messages encoded when queued.
 *   @query(t.ws_get_messages.args, t.ws_get_messages.ret, { manual: true }) ws_get_messages() {
 *     const [args] = IDL.decode(t.ws_get_messages.args, msgArgData());
 *     msgReply(ws.wsGetMessagesCandid(args as CanisterWsGetMessagesArguments));
 *   }
 * }
 * ```
 */
export function wsMethodTypes(appMessageIdl: IDL.Type): Record<WsServiceMethodName, WsMethodTypes> {
  const methods = wsServiceMethods(appMessageIdl);
  const out = {} as Record<WsServiceMethodName, WsMethodTypes>;
  for (const name of Object.keys(methods) as WsServiceMethodName[]) {
    const method = methods[name];
    // Every method of the protocol returns exactly one value.
    out[name] = { args: [...method.argTypes], ret: method.retTypes[0] };
  }
  return out;
}
