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
  type ClientMessageId,
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
  /** Every agent made for this target, so that moving the devnet's manual clock can move their clocks too. */
  agents: Set<HttpAgent>;
}

/**
 * Ingress expiry of the parties' agents. Agents base the expiry on their own clock plus the offset they
 * last synced from the devnet ({@link syncAgentClocks} after every `advance()`); between advances the
 * devnet's manual clock stands still and falls behind: 3 minutes keeps requests inside the accepted window
 * [now, now + 5 min + 60 s] for a test that runs up to ~3 minutes without advancing.
 */
export const INGRESS_EXPIRY_MINUTES = 3;

/** Makes an agent for `target` (and remembers it for {@link syncAgentClocks}). */
export async function agentFor(target: WsTarget, identity?: Ed25519KeyIdentity): Promise<HttpAgent> {
  const agent = await HttpAgent.create({ host: target.url, identity, shouldFetchRootKey: true, retryTimes: 0, ingressExpiryInMinutes: INGRESS_EXPIRY_MINUTES });
  target.agents.add(agent);
  return agent;
}

/**
 * Resets every agent's clock offset to the devnet's time (read from a certified `time`), as the agent does
 * on its own after an ingress-expiry error of an update call, but not of a query. Without it, a test that
 * advances the manual clock by minutes makes the agents' expiries fall below the devnet's window. The sync
 * itself reads `time` with the agent's default 5-minute expiry from the wall clock, so a test may lead the
 * wall clock by up to ~4 minutes in all (200 s checked; without the sync, ~2 minutes failed).
 */
export async function syncAgentClocks(target: WsTarget): Promise<void> {
  await Promise.all([...target.agents].map((agent) => agent.syncTime(target.canisterId)));
}

async function actorFor(target: WsTarget, identity: Ed25519KeyIdentity): Promise<ActorSubclass<WsActor>> {
  const agent = await agentFor(target, identity);
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

  /**
   * The presence call ic-ws-gateway makes once it has polled: a `ws_close` naming the gateway itself, which
   * proves it holds its key (clients opening through a proven gateway get no early ack).
   */
  async presence(): Promise<CanisterWsCloseResult> {
    return this.actor.ws_close({ client_key: { client_principal: this.principal, client_nonce: 0n } });
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

  /** Sends an app message with the next sequence number (with `messageId`, asking for a receipt). */
  send(message: unknown, messageId?: ClientMessageId): Promise<CanisterWsMessageResult> {
    return this.sendContent(false, new Uint8Array(IDL.encode([this.appMessageIdl], [message])), this.nextSequence, messageId);
  }

  /** Sends a service message (a keep-alive, normally) with the next sequence number. */
  sendService(content: WebsocketServiceMessageContent): Promise<CanisterWsMessageResult> {
    return this.sendContent(true, encodeServiceMessageContent(content));
  }

  /** Sends raw content with sequence number `sequence` (default: the next one) and counts it as sent. */
  sendContent(isService: boolean, content: Uint8Array, sequence = this.nextSequence, messageId?: ClientMessageId): Promise<CanisterWsMessageResult> {
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
        message_id: messageId === undefined ? [] : [messageId],
      },
      [],
    );
  }
}
