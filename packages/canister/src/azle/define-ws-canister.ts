import type { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { ErrorCode, type ClientKey } from 'ic-ws-protocol';
import { CanisterError } from '../canister-error';
import type { WsAppApi } from '../ws-app-api';
import type { IcWebSocketCanister } from '../ws-canister';
import { resolveWsCanisterOptions, type WsCanisterOptions } from '../ws-canister-options';
import type { AzleApi } from './azle-api';
import { createAzleWsCanister, type AzleWsCanisterOptions } from './create-azle-ws-canister';
import { wsEntryPointsClass, type WsCanisterClass, type WsStartPhase } from './ws-entry-points';

/** Options the canister may set when it starts, from its init arguments: everything but the message type. */
export type WsStartOptions<AppMessage> = Partial<Omit<WsCanisterOptions<AppMessage>, 'appMessageIdl'>>;

/** Options of {@link defineWsCanister}: the core's options, where state lives, and the canister's start. */
export interface DefineWsCanisterOptions<AppMessage, InitArgs extends unknown[] = unknown[]>
  extends AzleWsCanisterOptions<AppMessage> {
  /**
   * Candid types of the arguments of init and post_upgrade (azle requires both to take the same), decoded
   * and passed to `onStart`.
   * @default [] (no arguments)
   */
  initArgIdls?: IDL.Type[];
  /**
   * Runs in init and in post_upgrade, before the WebSocket core starts, with the decoded init arguments:
   * the place to open your own `StableBTreeMap`s (stable memory exists only from here on, never at module
   * level) and to take options from the install arguments. What it returns overrides the options given
   * here (except `appMessageIdl`, which the Candid interface is built from).
   * @default none
   */
  onStart?: (initArgs: InitArgs, phase: WsStartPhase) => WsStartOptions<AppMessage> | void;
}

/** The app API plus the canister class; what {@link defineWsCanister} returns. */
export interface AzleWsCanister<AppMessage> extends WsAppApi<AppMessage> {
  /**
   * The canister class, with init, post_upgrade and the four `ws_*` entry points: `export default` a class
   * that extends it (adding your own `@query`/`@update` methods), or `export default ws.Canister` itself.
   * Do not declare `@init`, `@postUpgrade` or a `ws_*` method in the subclass (use `onStart`).
   */
  readonly Canister: WsCanisterClass;
  /** The running core. Throws `CANISTER_NOT_STARTED` before init or post_upgrade. */
  readonly core: IcWebSocketCanister<AppMessage>;
}

const BINDING_KEYS = ['initArgIdls', 'onStart'] as const;

/**
 * Defines a WebSocket canister on azle 0.33: call it at module level; extend (or export) its `Canister`.
 * The binding writes init, post_upgrade and `ws_open`/`ws_close`/`ws_message`/`ws_get_messages` (a query)
 * with the exact Candid of the protocol; the core starts in init and again in post_upgrade, from the state
 * kept in stable memory, so clients stay connected across upgrades. Options are checked here, so bad ones
 * fail `azle build` (which evaluates the module) with `INVALID_OPTIONS`.
 *
 * The returned handle is the app API (`send`, `broadcast`, `close`, `clients`, ...): use it from handlers
 * and methods; before init it throws `CANISTER_NOT_STARTED`.
 *
 * @example
 * ```ts
 * import * as azle from 'azle';
 * import { IDL, query } from 'azle';
 * import { defineWsCanister } from 'ic-ws-canister/azle';
 *
 * const ws = defineWsCanister<string>(azle, {
 *   appMessageIdl: IDL.Text,
 *   onMessage: (client, text) => ws.send(client, `echo: ${text}`),
 * });
 *
 * export default class extends ws.Canister {
 *   @query([], IDL.Nat32) count(): number { return ws.clients().length; }
 * }
 * ```
 */
export function defineWsCanister<AppMessage, InitArgs extends unknown[] = unknown[]>(
  azle: AzleApi,
  options: DefineWsCanisterOptions<AppMessage, InitArgs>,
): AzleWsCanister<AppMessage> {
  return new AzleWsCanisterHandle(azle, options);
}

class AzleWsCanisterHandle<AppMessage, InitArgs extends unknown[]> implements AzleWsCanister<AppMessage> {
  readonly Canister: WsCanisterClass;
  private running: IcWebSocketCanister<AppMessage> | undefined;
  private readonly options: AzleWsCanisterOptions<AppMessage>;
  private readonly onStart: DefineWsCanisterOptions<AppMessage, InitArgs>['onStart'];

  constructor(
    private readonly azle: AzleApi,
    options: DefineWsCanisterOptions<AppMessage, InitArgs>,
  ) {
    if (typeof options !== 'object' || options === null) invalid('options must be an object');
    const { initArgIdls = [], onStart, ...azleOptions } = options;
    if (!Array.isArray(initArgIdls)) invalid('initArgIdls must be an array of Candid types');
    if (onStart !== undefined && typeof onStart !== 'function') invalid('onStart must be a function');
    const { memoryIds: _memoryIds, stableStore: _stableStore, ...coreOptions } = azleOptions;
    // Checked now, so that a bad option fails the build (azle evaluates the module) rather than the install.
    resolveWsCanisterOptions(coreOptions);
    this.options = azleOptions;
    this.onStart = onStart;
    this.Canister = wsEntryPointsClass(azle, azleOptions.appMessageIdl, initArgIdls, {
      start: (initArgs, phase) => this.start(initArgs as InitArgs, phase),
      core: () => this.core as IcWebSocketCanister<unknown>,
    });
  }

  get core(): IcWebSocketCanister<AppMessage> {
    if (this.running === undefined) {
      throw new CanisterError(
        ErrorCode.CanisterNotStarted,
        'the WebSocket canister is not started yet: its app API works from init and post_upgrade on (not at module level)',
      );
    }
    return this.running;
  }

  send(to: ClientKey | Principal, message: AppMessage): void {
    this.core.send(to, message);
  }

  broadcast(message: AppMessage): number {
    return this.core.broadcast(message);
  }

  close(to: ClientKey | Principal): void {
    this.core.close(to);
  }

  clients(): ClientKey[] {
    return this.core.clients();
  }

  connectionsOf(principal: Principal): ClientKey[] {
    return this.core.connectionsOf(principal);
  }

  isConnected(target: ClientKey | Principal): boolean {
    return this.core.isConnected(target);
  }

  batch<T>(fn: () => T): T {
    return this.core.batch(fn);
  }

  private start(initArgs: InitArgs, phase: WsStartPhase): void {
    const overrides: unknown = this.onStart?.(initArgs, phase) ?? {};
    if (typeof overrides !== 'object' || overrides === null) invalid('onStart must return options or nothing');
    for (const key of ['appMessageIdl', ...BINDING_KEYS, 'memoryIds', 'stableStore']) {
      if (key in overrides) invalid(`onStart may not return '${key}'`);
    }
    this.running = createAzleWsCanister(this.azle, { ...this.options, ...(overrides as WsStartOptions<AppMessage>) });
  }
}

function invalid(message: string): never {
  throw new CanisterError(ErrorCode.InvalidOptions, `defineWsCanister: ${message}`);
}
