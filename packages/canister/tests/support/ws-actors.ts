/**
 * The two other parties of the protocol, played over HTTP through the real @dfinity/agent against a devnet:
 * a client (its own Ed25519 identity; `ws_open` and sequenced `ws_message` calls) and a gateway (its own
 * identity; `ws_get_messages` polls verified by {@link ClientVerifier}, and `ws_close`).
 */
import { Actor, HttpAgent, type ActorSubclass } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import type { Principal } from '@dfinity/principal';
import {
  encodeServiceMessageContent,
  wsServiceIdlFactory,
  type CanisterWsCloseArguments,
  type CanisterWsCloseResult,
  type CanisterWsGetMessagesArguments,
  type CanisterWsGetMessagesResult,
  type CanisterWsMessageArguments,
  type CanisterWsMessageResult,
  type CanisterWsOpenArguments,
  type CanisterWsOpenResult,
  type ClientKey,
  type WebsocketServiceMessageContent,
} from 'ic-ws-protocol';
import { ClientVerifier, type VerifiedMessage } from './client-verifier';

/** The four methods as an actor sees them. */
export interface WsActor {
  ws_open(args: CanisterWsOpenArguments): Promise<CanisterWsOpenResult>;
  ws_close(args: CanisterWsCloseArguments): Promise<CanisterWsCloseResult>;
  ws_message(args: CanisterWsMessageArguments, appMessage: []): Promise<CanisterWsMessageResult>;
  ws_get_messages(args: CanisterWsGetMessagesArguments): Promise<CanisterWsGetMessagesResult>;
}

/** Where the parties connect. */
export interface WsTarget {
  url: string;
  canisterId: Principal;
  rootKey: Uint8Array;
  appMessageIdl: IDL.Type;
}

/**
 * Ingress expiry of the parties' agents. The devnet's manual clock lags the wall clock (which agents base the
 * expiry on) while a long test runs and leads it after `advance()`: 3 minutes keeps requests inside the
 * accepted window [now, now + 5 min + 60 s] for a lag of up to ~3 minutes or a lead of up to ~2.
 */
export const INGRESS_EXPIRY_MINUTES = 3;

async function actorFor(target: WsTarget, identity: Ed25519KeyIdentity): Promise<ActorSubclass<WsActor>> {
  const agent = await HttpAgent.create({ host: target.url, identity, shouldFetchRootKey: true, retryTimes: 0, ingressExpiryInMinutes: INGRESS_EXPIRY_MINUTES });
  return Actor.createActor<WsActor>(wsServiceIdlFactory(target.appMessageIdl), { agent, canisterId: target.canisterId });
}

/** A gateway: polls its messages from `nextNonce` on, verifying every batch as a client would. */
export class TestGateway {
  /** The nonce of the next poll. */
  nextNonce = 0n;
  readonly verifier: ClientVerifier;

  private constructor(
    readonly identity: Ed25519KeyIdentity,
    readonly actor: ActorSubclass<WsActor>,
    target: WsTarget,
  ) {
    this.verifier = new ClientVerifier({ canisterId: target.canisterId, rootKey: target.rootKey, gateway: this.principal, appMessageIdl: target.appMessageIdl });
  }

  static async create(target: WsTarget): Promise<TestGateway> {
    const identity = Ed25519KeyIdentity.generate();
    return new TestGateway(identity, await actorFor(target, identity), target);
  }

  get principal(): Principal {
    return this.identity.getPrincipal();
  }

  /** One raw `ws_get_messages` at `nonce` (no state change, no verification). */
  async getMessages(nonce: bigint): Promise<CanisterWsGetMessagesResult> {
    return this.actor.ws_get_messages({ nonce });
  }

  /** One poll at {@link nextNonce}: verified messages and whether the queue ended. */
  async poll(): Promise<{ messages: VerifiedMessage[]; isEndOfQueue: boolean; messageCount: number }> {
    const result = await this.getMessages(this.nextNonce);
    if ('Err' in result) throw new Error(`ws_get_messages returned Err: ${result.Err}`);
    const messages = await this.verifier.verifyBatch(result.Ok, this.nextNonce);
    const last = messages.at(-1);
    if (last) this.nextNonce = last.nonce + 1n;
    return { messages, isEndOfQueue: result.Ok.is_end_of_queue, messageCount: messages.length };
  }

  /** Polls again while the queue has not ended, like the real gateway; returns every verified message. */
  async pollAll(): Promise<VerifiedMessage[]> {
    const out: VerifiedMessage[] = [];
    for (;;) {
      const { messages, isEndOfQueue } = await this.poll();
      out.push(...messages);
      if (isEndOfQueue) return out;
    }
  }

  /** `ws_close` for a client of this gateway (the client's socket closed). */
  async close(clientKey: ClientKey): Promise<CanisterWsCloseResult> {
    return this.actor.ws_close({ client_key: clientKey });
  }
}

/** A client: opens through a gateway and sends sequenced messages, each a signed update call. */
export class TestClient {
  /** Sequence number of the next message this client sends. */
  nextSequence = 1n;

  private constructor(
    readonly identity: Ed25519KeyIdentity,
    readonly actor: ActorSubclass<WsActor>,
    readonly clientNonce: bigint,
    private readonly appMessageIdl: IDL.Type,
  ) {}

  /** A client with a fresh identity, or `identity` (several connections of one principal). */
  static async create(target: WsTarget, options: { identity?: Ed25519KeyIdentity; clientNonce?: bigint } = {}): Promise<TestClient> {
    const identity = options.identity ?? Ed25519KeyIdentity.generate();
    const nonce = options.clientNonce ?? BigInt(Math.floor(Math.random() * 2 ** 48));
    return new TestClient(identity, await actorFor(target, identity), nonce, target.appMessageIdl);
  }

  get principal(): Principal {
    return this.identity.getPrincipal();
  }

  get key(): ClientKey {
    return { client_principal: this.principal, client_nonce: this.clientNonce };
  }

  open(gateway: Principal): Promise<CanisterWsOpenResult> {
    return this.actor.ws_open({ client_nonce: this.clientNonce, gateway_principal: gateway });
  }

  /** Sends an app message with the next sequence number. */
  send(message: unknown): Promise<CanisterWsMessageResult> {
    return this.sendContent(false, new Uint8Array(IDL.encode([this.appMessageIdl], [message])));
  }

  /** Sends a service message (a keep-alive, normally) with the next sequence number. */
  sendService(content: WebsocketServiceMessageContent): Promise<CanisterWsMessageResult> {
    return this.sendContent(true, encodeServiceMessageContent(content));
  }

  /** Sends raw content with sequence number `sequence` (default: the next one) and counts it as sent. */
  sendContent(isService: boolean, content: Uint8Array, sequence = this.nextSequence): Promise<CanisterWsMessageResult> {
    this.nextSequence = sequence + 1n;
    return this.actor.ws_message(
      {
        msg: {
          client_key: this.key,
          sequence_num: sequence,
          timestamp: BigInt(Date.now()) * 1_000_000n,
          is_service_message: isService,
          content,
        },
      },
      [],
    );
  }
}
