/**
 * The real stack for client integration tests: ic-ws-devnet running the ws-chat canister (ic-ws-canister on
 * Azle) and any number of real ic-ws gateways in front of it. Everything binds 127.0.0.1 port 0.
 */
import type { SignIdentity } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import type { Principal } from '@dfinity/principal';
import { IcWebSocket, type IcWebSocketOptions } from 'ic-ws-client';
import { startDevnet, type Devnet } from 'ic-ws-devnet';
import { startGateway, type GatewayHandle } from 'ic-ws-gateway';
import { ClientRecorder } from './client-recorder';
import { buildWsChat, ChatMessageIdl, wsChatActor, wsChatInitArg, type ChatMessage, type WsChatActor } from './ws-chat-canister';

/** Options of {@link TestNetwork.start}. */
export interface TestNetworkOptions {
  /** The devnet's clock: `'manual'` moves only through {@link TestNetwork.advanceTime}. @default 'real' */
  time?: 'real' | 'manual';
  /** Mainnet-shaped certificates: signed by an application subnet's key, with the root key's delegation. @default false */
  delegatedCertificates?: boolean;
  /** The devnet's BLS root key secret (32 bytes), to start a second devnet under the same root. @default random */
  rootKeySecret?: Uint8Array;
}

/** Options of {@link TestNetwork.startGateway}. */
export interface TestGatewayOptions {
  /** `host:port`; a fixed port is only for restarting a gateway where it was. @default '127.0.0.1:0' */
  listen?: string;
  /** Keep the identity across a restart (clients check the handshake's principal in every message key). */
  identity?: SignIdentity;
  /** Largest client frame the gateway accepts, bytes. @default the gateway's default (2 MiB) */
  maxPayload?: number;
  /** The query endpoint the gateway polls through (3: tree-format delegations). @default the gateway's default (2) */
  pollQueryApiVersion?: 2 | 3;
}

/**
 * One devnet with the ws-chat canister installed, plus the gateways and clients a test starts on it; `close()`
 * stops them all. With `time: 'manual'` the IC clock moves only through {@link TestNetwork.advanceTime}.
 */
export class TestNetwork {
  readonly #gateways = new Set<GatewayHandle>();
  readonly #clients = new Set<IcWebSocket<ChatMessage>>();
  #icTimeMs: number;

  private constructor(
    readonly devnet: Devnet,
    readonly wasm: Uint8Array,
    readonly canisterId: Principal,
    readonly chat: WsChatActor,
    readonly manualTime: boolean,
    startMs: number,
  ) {
    this.#icTimeMs = startMs;
  }

  static async start(options: TestNetworkOptions = {}): Promise<TestNetwork> {
    const wasm = await buildWsChat();
    const startMs = Date.now();
    const devnet = await startDevnet({
      time: options.time ?? 'real',
      startTimeMs: startMs,
      ...(options.delegatedCertificates === undefined ? {} : { delegatedCertificates: options.delegatedCertificates }),
      ...(options.rootKeySecret === undefined ? {} : { rootKeySecret: options.rootKeySecret }),
    });
    const canisterId = await devnet.install({ wasm, arg: wsChatInitArg() });
    const chat = await wsChatActor(devnet.url, canisterId, devnet.rootKey);
    return new TestNetwork(devnet, wasm, canisterId, chat, options.time === 'manual', startMs);
  }

  /** Installs another ws-chat canister, accepting only `gateways` when given; returns it and its actor. */
  async installChat(gateways?: readonly Principal[]): Promise<{ canisterId: Principal; chat: WsChatActor }> {
    const canisterId = await this.devnet.install({ wasm: this.wasm, arg: wsChatInitArg(gateways) });
    return { canisterId, chat: await wsChatActor(this.devnet.url, canisterId, this.devnet.rootKey) };
  }

  /** Starts a real gateway against the devnet. */
  async startGateway(options: TestGatewayOptions = {}): Promise<GatewayHandle & { identity: SignIdentity }> {
    const identity = options.identity ?? Ed25519KeyIdentity.generate();
    const gateway = await startGateway({
      listen: options.listen ?? '127.0.0.1:0',
      adminListen: '',
      icUrl: this.devnet.url,
      rootKey: this.devnet.rootKey,
      identity,
      logLevel: 'silent',
      pollingIntervalMs: 20,
      drainTimeoutMs: 5_000,
      ...(options.maxPayload === undefined ? {} : { maxPayload: options.maxPayload }),
      ...(options.pollQueryApiVersion === undefined ? {} : { pollQueryApiVersion: options.pollQueryApiVersion }),
    });
    this.#gateways.add(gateway);
    return Object.assign(gateway, { identity });
  }

  /** Stops a gateway (draining its sessions, as on a deploy). */
  async stopGateway(gateway: GatewayHandle): Promise<void> {
    this.#gateways.delete(gateway);
    await gateway.close();
  }

  /**
   * An IcWebSocket to the ws-chat canister with the app's record type, a fresh Ed25519 identity and the
   * devnet's root key; `options` override any of it. Its events are recorded from the start.
   */
  client(options: Partial<IcWebSocketOptions<ChatMessage>> & Pick<IcWebSocketOptions<ChatMessage>, 'gatewayUrl'>): ClientRecorder<ChatMessage> {
    const ws = new IcWebSocket<ChatMessage>({
      canisterId: this.canisterId,
      identity: Ed25519KeyIdentity.generate(),
      ...(options.agent === undefined ? { networkUrl: this.devnet.url } : {}),
      rootKey: this.devnet.rootKey,
      ...(options.canisterIdlFactory === undefined ? { appMessageIdl: ChatMessageIdl } : {}),
      ackIntervalMs: 61_000,
      ...options,
    });
    this.#clients.add(ws);
    return new ClientRecorder(ws);
  }

  /** The devnet's current time in manual mode, ms since the epoch. */
  get icTimeMs(): number {
    return this.#icTimeMs;
  }

  /** Moves the manual IC clock forward by `ms` and runs the timers that became due. */
  async advanceTime(ms: number): Promise<void> {
    this.devnet.advanceTime(ms);
    this.#icTimeMs += ms;
    await this.devnet.tick();
  }

  /**
   * Brings a manual IC clock up to the wall clock (it stands still while tests run), so clients' ingress
   * expiry, which they base on their own clock, stays within what the devnet accepts.
   */
  async catchUpWithWallClock(): Promise<void> {
    const behind = Date.now() - this.#icTimeMs;
    if (this.manualTime && behind > 0) await this.advanceTime(behind);
  }

  /** Closes every client, gateway and the devnet. */
  async close(): Promise<void> {
    for (const ws of this.#clients) ws.close();
    await Promise.all([...this.#gateways].map((gateway) => gateway.close()));
    await this.devnet.close();
  }
}
