import type { Principal } from '@dfinity/principal';
import type { GatewayIc } from './gateway-ic';

/** Options of {@link GatewayPresence}. */
export interface GatewayPresenceOptions {
  /**
   * A canister proved to within this long ago is not proved to again. Well under any canister's ack interval
   * (60 s at least), the time after which a canister forgets a gateway that has had no clients.
   */
  refreshMs: number;
  /**
   * An open waits at most this long for the presence call, then is relayed anyway (with the IC slow, a
   * canister then acks the client early and the client's answer vouches for the gateway): the call saves the
   * early ack, never worth delaying a session for long.
   */
  maxWaitMs: number;
  /** Local clock, ms. */
  now: () => number;
  /** A presence call failed (an ic-websocket-cdk canister answers `Err`: it has no such call). Must not throw. */
  onFailure: (canisterId: Principal, error: unknown) => void;
}

interface Proof {
  /** When the last attempt finished (ms), or `undefined` while it runs. */
  doneAt: number | undefined;
  attempt: Promise<void>;
}

/**
 * The gateway's presence calls (docs/protocol.md section 8, "Gateway admission"): a `ws_close` naming the gateway's
 * own principal, which an ic-ws canister takes as proof that the gateway holds its key, so it counts the gateway
 * as real from then on instead of holding it pending (and acking its clients early to find out). Made before
 * the first `ws_open` relayed to a canister and again when the last one is older than `refreshMs`; opens that
 * come meanwhile wait for the same call, each for at most `maxWaitMs`. A failed call is not retried before `refreshMs` either: the gateway's
 * clients still get in, the canister admits the gateway when they answer its early ack.
 */
export class GatewayPresence {
  readonly #proofs = new Map<string, Proof>();

  constructor(
    private readonly ic: Pick<GatewayIc, 'wsClose'>,
    private readonly gatewayPrincipal: Principal,
    private readonly options: GatewayPresenceOptions,
  ) {}

  /**
   * Resolves once `canisterId` has had a presence call from this gateway recently (made now if needed), or
   * after `maxWaitMs` while the call is still on its way.
   */
  async prove(canisterId: Principal): Promise<void> {
    const attempt = this.#attempt(canisterId);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.maxWaitMs);
      timer.unref?.();
    });
    await Promise.race([attempt, waited]);
    clearTimeout(timer);
  }

  #attempt(canisterId: Principal): Promise<void> {
    const key = canisterId.toText();
    const proof = this.#proofs.get(key);
    if (proof !== undefined && (proof.doneAt === undefined || this.options.now() - proof.doneAt < this.options.refreshMs)) return proof.attempt;
    const next: Proof = { doneAt: undefined, attempt: Promise.resolve() };
    next.attempt = this.ic.wsClose(canisterId, { client_principal: this.gatewayPrincipal, client_nonce: 0n }).then(
      () => {
        next.doneAt = this.options.now();
      },
      (error: unknown) => {
        // Not fatal: clients still open; the canister admits this gateway through their keep-alives instead.
        next.doneAt = this.options.now();
        this.options.onFailure(canisterId, error);
      },
    );
    this.#proofs.set(key, next);
    return next.attempt;
  }
}

/**
 * `ic` with a presence call before every relayed `ws_open` that needs one. `ws_open` is the one relay made
 * with `readReply` (see {@link GatewayIc.relayCall}), which is how it is told apart without decoding.
 */
export function provingPresence(ic: GatewayIc, presence: GatewayPresence): GatewayIc {
  return {
    relayCall: async (canisterId, envelope, options) => {
      if (options?.readReply === true) await presence.prove(canisterId);
      return ic.relayCall(canisterId, envelope, options);
    },
    getMessages: (canisterId, nonce) => ic.getMessages(canisterId, nonce),
    wsClose: (canisterId, clientKey) => ic.wsClose(canisterId, clientKey),
    checkStatus: () => ic.checkStatus(),
  };
}
