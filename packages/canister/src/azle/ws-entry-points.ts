import { IDL } from '@dfinity/candid';
import type {
  CanisterWsCloseArguments,
  CanisterWsCloseResult,
  CanisterWsGetMessagesArguments,
  CanisterWsOpenArguments,
  CanisterWsOpenResult,
  WsServiceSignatures,
} from 'ic-ws-protocol';
import type { IcWebSocketCanister } from '../ws-canister';
import type { AzleDecoratorApi, AzleRuntimeApi } from './azle-api';
import { wsMethodTypes } from './ws-method-types';

/** Which lifecycle hook started the canister. */
export type WsStartPhase = 'init' | 'postUpgrade';

/** What the entry points call: the running core, and the start of the canister in init and post_upgrade. */
export interface WsEntryPointTarget {
  start(initArgs: unknown[], phase: WsStartPhase): void;
  core(): IcWebSocketCanister<unknown>;
}

/** The class `defineWsCanister` gives as `Canister`: to export as the default export, or to extend. */
export type WsCanisterClass = new () => object;

/**
 * Declares the canister's entry points with azle's decorators: `@init` and `@postUpgrade` with
 * `initArgIdls`, the three `@update`s `ws_open`, `ws_close`, `ws_message` and the `@query`
 * `ws_get_messages`, with the exact Candid of protocol.md section 2.
 *
 * Azle registers decorated methods when it instantiates the default-exported class, and the initializers
 * of a base class run inside the subclass's constructor, so a canister that extends this class gets these
 * entry points and keeps its own. A subclass must not declare `@init`, `@postUpgrade` or a `ws_*` method
 * again: azle refuses a second definition at build time.
 */
export function wsEntryPointsClass(
  azle: AzleDecoratorApi & Pick<AzleRuntimeApi, 'msgArgData' | 'msgReply'>,
  appMessageIdl: IDL.Type,
  initArgIdls: IDL.Type[],
  target: WsEntryPointTarget,
): WsCanisterClass {
  const t = wsMethodTypes(appMessageIdl);
  // ws_get_messages replies with raw bytes (manual), so it takes and returns nothing in TypeScript.
  return class IcWebSocketCanisterEntryPoints implements Omit<WsServiceSignatures<unknown>, 'ws_get_messages' | 'ws_message'> {
    @azle.init(initArgIdls)
    init(...initArgs: unknown[]): void {
      target.start(initArgs, 'init');
    }

    @azle.postUpgrade(initArgIdls)
    postUpgrade(...initArgs: unknown[]): void {
      target.start(initArgs, 'postUpgrade');
    }

    @azle.update(t.ws_open.args, t.ws_open.ret)
    ws_open(args: CanisterWsOpenArguments): CanisterWsOpenResult {
      return target.core().wsOpen(args);
    }

    @azle.update(t.ws_close.args, t.ws_close.ret)
    ws_close(args: CanisterWsCloseArguments): CanisterWsCloseResult {
      return target.core().wsClose(args);
    }

    // Manual: the core decodes the arguments with a reader made for them (azle's generic Candid decode was
    // most of what a ws_message cost besides queueing); the second argument (`opt AppMessage`) is in the
    // Candid for clients' sake and never read: the content travels Candid-encoded inside the first.
    @azle.update(t.ws_message.args, t.ws_message.ret, { manual: true })
    ws_message(): void {
      azle.msgReply(target.core().wsMessageCandid(azle.msgArgData()));
    }

    // A query: the reply carries `dataCertificate()`, which exists only in queries. Manual: the core replies
    // with the Candid bytes it assembles from messages encoded when they were queued (the declared types
    // still make the Candid interface), instead of azle encoding a reply object per poll.
    @azle.query(t.ws_get_messages.args, t.ws_get_messages.ret, { manual: true })
    ws_get_messages(): void {
      const [args] = IDL.decode(t.ws_get_messages.args, azle.msgArgData()) as unknown as [CanisterWsGetMessagesArguments];
      azle.msgReply(target.core().wsGetMessagesCandid(args));
    }
  };
}
