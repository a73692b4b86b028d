import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import {
  CanisterWsGetMessagesResultIdl,
  CanisterWsMessageResultIdl,
  CLOSE_MESSAGE_REASONS,
  decodeServiceMessageContent,
  ErrorCode,
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
  type CloseMessageReasonName,
  type ReceiptOutcome,
  type WebsocketServiceMessageContent,
  WS_EXTENSIONS,
  WsMessageArgsDecoder,
} from 'ic-ws-protocol';
import { AckRounds } from './ack-rounds';
import { AckScheduler } from './ack-scheduler';
import { CandidValueDecoder } from './candid-value-decoder';
import { CandidValueEncoder } from './candid-value-encoder';
import { CanisterError } from './canister-error';
import { principalText } from './principal-text';
import { ClientOutbox } from './client-outbox';
import { ClientRegistry, clientKeyOf, type ConnectedClient } from './client-registry';
import { DeadlineTimer } from './deadline-timer';
import { EARLY_ACK_SEQUENCE_NUM, GatewayAdmission } from './gateway-admission';
import type { CanisterHost } from './host';
import { MessageIdLedger } from './message-id-ledger';
import { buildMessagesReply, emptyReplyCandid } from './messages-reply';
import { OutgoingQueues, type GatewayQueue } from './outgoing-queues';
import { ackMessageContent, closeMessageContent, openMessageContent, receiptMessageContent } from './service-messages';
import { resolveWsCanisterOptions, type ResolvedWsCanisterOptions, type WsCanisterOptions } from './ws-canister-options';
import type { WsCloseReason } from './ws-close-reason';
import { WsErrorMessage } from './ws-error-messages';

const NS_PER_MS = 1_000_000n;
const OK = { Ok: null } as const;
// The reasons that are also sent to the client, as a CloseMessage.
const PROTOCOL_CLOSE_REASONS = new Set<WsCloseReason>(CLOSE_MESSAGE_REASONS);

function err(message: WsErrorMessage): { Err: string } {
  return { Err: message };
}

function isClientKey(value: ClientKey | Principal): value is ClientKey {
  return typeof value === 'object' && value !== null && 'client_principal' in value;
}

/**
 * The canister side of the IC WebSocket protocol, independent of any canister runtime: the four entry
 * points (`ws_open`, `ws_close`, `ws_message`, `ws_get_messages`), the ack/keep-alive rounds, and the app
 * API to send to and close connections. All state lives in the host's stable store; construct it in both
 * init and post_upgrade, then call {@link start}.
 *
 * Certified data is set once per entry point or timer callback (at its end), not once per message; app code
 * that sends from its own update methods gets the same by wrapping several sends in {@link batch}.
 *
 * @example
 * ```ts
 * const ws = createWsCanister(host, {
 *   appMessageIdl: IDL.Text,
 *   onMessage: (client, text) => ws.send(client, `echo: ${text}`),
 * });
 * ws.start(); // in init and in post_upgrade
 * // expose: ws_open -> ws.wsOpen(args, caller), ws_close, ws_message, ws_get_messages (a query)
 * ```
 */
export class IcWebSocketCanister<AppMessage> {
  /** The options in force, defaults applied. */
  readonly options: ResolvedWsCanisterOptions<AppMessage>;
  private readonly registry: ClientRegistry;
  private readonly queues: OutgoingQueues;
  private readonly outbox: ClientOutbox;
  private readonly scheduler: AckScheduler;
  private readonly admission: GatewayAdmission;
  private readonly pendingExpiry: DeadlineTimer;
  private readonly ledger: MessageIdLedger;
  private readonly extensions: readonly string[];
  private nextConnectionId = 0n;
  private depth = 0;
  private readonly appEncoder: CandidValueEncoder<AppMessage>;
  private readonly appDecoder: CandidValueDecoder<AppMessage>;
  private readonly messageArgs: WsMessageArgsDecoder;
  private readonly messageResults = new CandidValueEncoder(CanisterWsMessageResultIdl as unknown as IDL.Type<CanisterWsMessageResult>);

  constructor(
    private readonly host: CanisterHost,
    options: WsCanisterOptions<AppMessage>,
  ) {
    this.options = resolveWsCanisterOptions(options);
    this.appEncoder = new CandidValueEncoder(this.options.appMessageIdl as IDL.Type<AppMessage>);
    this.appDecoder = new CandidValueDecoder(this.options.appMessageIdl as IDL.Type<AppMessage>);
    this.messageArgs = new WsMessageArgsDecoder(this.options.appMessageIdl);
    const store = host.stableStore;
    this.registry = new ClientRegistry(store.map('clients'));
    this.queues = new OutgoingQueues(store.map('gateways'), store.map('messages'));
    this.registry.load();
    this.queues.load();
    this.ledger = new MessageIdLedger(store.map('meta'), {
      retentionNs: BigInt(this.options.duplicateWindowMs) * NS_PER_MS,
      maxEntries: this.options.maxRememberedOutboxes,
    });
    this.ledger.load();
    this.extensions = this.options.receipts ? [WS_EXTENSIONS.receipts] : [];
    this.admission = new GatewayAdmission(this.queues, this.registry, {
      allowlist: this.options.gateways,
      maxGateways: this.options.maxGateways,
      maxClients: this.options.maxClients,
      maxPendingClients: this.options.maxPendingClients,
      pendingTimeoutNs: BigInt(this.options.keepAliveTimeoutMs) * NS_PER_MS,
    });
    this.pendingExpiry = new DeadlineTimer(host, () => this.batch(() => this.expirePendingGateways()));
    this.outbox = new ClientOutbox(this.registry, this.queues, {
      retentionNs: BigInt(this.options.sendAckIntervalMs) * NS_PER_MS,
      maxReplyBytes: this.options.maxReplyBytes,
      maxQueuedMessagesPerGateway: this.options.maxQueuedMessagesPerGateway,
    });
    for (const client of this.registry.all()) {
      if (client.record.connectionId >= this.nextConnectionId) this.nextConnectionId = client.record.connectionId + 1n;
    }
    this.scheduler = new AckScheduler(
      host,
      store.map('meta'),
      {
        intervalMs: this.options.sendAckIntervalMs,
        keepAliveTimeoutMs: this.options.keepAliveTimeoutMs,
        clientsPerExecution: this.options.clientsPerExecution,
      },
      new AckRounds({
        registry: this.registry,
        queues: this.queues,
        outbox: this.outbox,
        time: () => host.time(),
        closeClient: (client, reason, now) => this.removeClient(client, reason, now),
        onRoundStart: (now) => this.ledger.prune(now - BigInt(this.options.duplicateWindowMs) * NS_PER_MS),
        intervalMs: this.options.sendAckIntervalMs,
        keepAliveTimeoutMs: this.options.keepAliveTimeoutMs,
      }),
      (fn) => this.batch(fn),
    );
  }

  /** Sets the certified data and arms the ack timers. Call in init and post_upgrade (timers die on upgrade). */
  start(): void {
    this.batch(() => {
      this.scheduler.start();
      // An allowlist added by an upgrade proves its gateways; unlisted pending ones run out as usual.
      for (const gateway of [...this.queues.pendingGateways(), ...this.queues.vouchedGateways()]) {
        if (this.options.gateways?.has(gateway.text) === true) this.queues.setStanding(gateway, { kind: 'proven' });
      }
      this.pendingExpiry.schedule(this.admission.nextExpiryNs());
    });
  }

  /** Cancels the timers (the state stays). */
  stop(): void {
    this.scheduler.stop();
    this.pendingExpiry.stop();
  }

  // --- entry points -------------------------------------------------------------------------------------

  /** `ws_open` (update, caller = client): registers the connection and queues its OpenMessage. */
  wsOpen(args: CanisterWsOpenArguments, caller: Principal = this.host.caller()): CanisterWsOpenResult {
    return this.batch(() => {
      if (caller.isAnonymous()) return err(WsErrorMessage.AnonymousClient);
      if (args.gateway_principal.isAnonymous()) return err(WsErrorMessage.AnonymousGateway);
      const gatewayText = args.gateway_principal.toText();
      if (!this.admission.isAllowed(gatewayText)) return err(WsErrorMessage.GatewayNotAllowed);
      const key: ClientKey = { client_principal: caller, client_nonce: args.client_nonce };
      if (this.registry.get(key)) return err(WsErrorMessage.ClientKeyInUse);

      const now = this.host.time();
      const existing = this.registry.ofPrincipal(caller);
      const replaced = existing.slice(0, Math.max(0, existing.length - this.options.maxConnectionsPerPrincipal + 1));
      const known = this.queues.gateway(gatewayText);
      const plan = this.admission.planOpen(known, replaced);
      if ('error' in plan) return err(plan.error);
      if (known && !this.outbox.hasRoom(known, 1, now)) return err(WsErrorMessage.GatewayQueueFull);

      for (const dropped of plan.evict) this.dropGateway(dropped, now);
      for (const old of replaced) this.removeClient(old, 'ReplacedByNewConnection', now);
      const gateway = this.queues.register(args.gateway_principal, this.admission.initialStanding(now));
      this.queues.setEmptySince(gateway, null);
      const client = this.registry.add({
        clientPrincipal: caller,
        clientNonce: args.client_nonce,
        gateway: args.gateway_principal,
        nextOutgoingSeq: 1n,
        expectedIncomingSeq: 1n,
        lastKeepAliveNs: now,
        connectionId: this.nextConnectionId++,
      });
      this.outbox.queue(client, true, openMessageContent(clientKeyOf(client), this.extensions), now);
      // The early ack: a keep-alive answering it shows something polled for this gateway (it vouches for it).
      if (gateway.record.standing.kind === 'pending') this.outbox.queue(client, true, ackMessageContent(0n), now);
      this.pendingExpiry.schedule(this.admission.nextExpiryNs());
      this.options.onOpen(clientKeyOf(client));
      return OK;
    });
  }

  /**
   * `ws_close` (update, caller = the client's gateway): removes the connection; the client is sent nothing.
   * Being signed by the gateway, it also confirms a pending gateway. A `ws_close` whose client key names the
   * caller itself (and no connection of it) is a *presence* call: it only confirms the caller, registering it
   * if needed (see gateway-admission.ts).
   */
  wsClose(args: CanisterWsCloseArguments, caller: Principal = this.host.caller()): CanisterWsCloseResult {
    return this.batch(() => {
      const callerText = caller.toText();
      const gateway = this.queues.gateway(callerText);
      const client = this.registry.get(args.client_key);
      const now = this.host.time();
      if (args.client_key.client_principal.toText() === callerText && client?.gatewayText !== callerText) {
        return this.presence(caller, gateway, now);
      }
      if (!gateway) return err(WsErrorMessage.GatewayNotRegistered);
      // Signed by the gateway: proves it, when there is room.
      this.prove(caller, gateway, now);
      if (!client) return err(WsErrorMessage.ClientNotConnected);
      if (client.gatewayText !== gateway.text) return err(WsErrorMessage.CallerNotClientGateway);
      this.removeClient(client, 'ClosedByGateway', now);
      return OK;
    });
  }

  /** `ws_message` (update, caller = client): checks ownership and sequence, then handles the message. */
  wsMessage(args: CanisterWsMessageArguments, caller: Principal = this.host.caller()): CanisterWsMessageResult {
    return this.batch(() => {
      const { msg } = args;
      if (principalText(caller) !== principalText(msg.client_key.client_principal)) return err(WsErrorMessage.CallerNotClient);
      const client = this.registry.get(msg.client_key);
      if (!client) return err(WsErrorMessage.ClientNotConnected);
      const now = this.host.time();
      if (msg.sequence_num !== client.record.expectedIncomingSeq) {
        this.removeClient(client, 'WrongSequenceNumber', now);
        return err(WsErrorMessage.WrongSequenceNumber);
      }
      // Counted before the content is looked at: the client numbers every message it sends, valid or not.
      client.record.expectedIncomingSeq += 1n;
      this.registry.save(client);
      if (msg.is_service_message) return this.handleServiceMessage(client, msg.content, now);

      // Receipts only for clients that asked (a message id), and only when offered: others are never sent a
      // service message they do not know.
      const messageId = this.options.receipts ? args.message_id?.[0] : undefined;
      const receipt = (outcome: ReceiptOutcome) => {
        if (messageId !== undefined) this.queueReceipt(client, msg.sequence_num, outcome, now);
      };
      if (messageId !== undefined) {
        if (!MessageIdLedger.isWellFormed(messageId)) {
          receipt({ Failed: WsErrorMessage.InvalidMessageId });
          return err(WsErrorMessage.InvalidMessageId);
        }
        if (this.ledger.take(client.record.clientPrincipal, messageId, now) === 'duplicate') {
          receipt({ Duplicate: null });
          return OK;
        }
      }
      const decoded = this.decodeApp(msg.content);
      if (decoded === undefined) {
        receipt({ Failed: WsErrorMessage.InvalidAppMessage });
        return err(WsErrorMessage.InvalidAppMessage);
      }
      try {
        this.options.onMessage(clientKeyOf(client), decoded.value);
      } catch (error) {
        // The call returns normally, so the IC keeps the sequence number counted above (a trap would roll it
        // back and desynchronize the connection); the client learns which message failed and why.
        receipt({ Failed: this.handlerErrorReason(error) });
        return err(WsErrorMessage.HandlerFailed);
      }
      receipt({ Delivered: null });
      return OK;
    });
  }

  /**
   * {@link wsMessage} from and to Candid bytes, for an entry point that takes its argument and replies as raw
   * bytes (azle's `@update(..., { manual: true })`, as the Azle binding's does): the arguments are decoded by
   * a reader made for them ({@link WsMessageArgsDecoder}) instead of the runtime's generic decoder, and the
   * result's bytes are mostly the same few. Throws for bytes that are not `ws_message` arguments (the call
   * traps, as when the runtime decodes them).
   */
  wsMessageCandid(argBytes: Uint8Array, caller: Principal = this.host.caller()): Uint8Array {
    const [args] = this.messageArgs.decode(argBytes);
    return this.messageResults.encode(this.wsMessage(args, caller));
  }

  /**
   * `ws_get_messages` (query, caller = gateway): the gateway's messages from `nonce` on, certified, as the
   * Candid bytes of the reply (`CanisterWsGetMessagesResult`). The fast path, for an entry point that replies
   * with raw bytes (azle's `@query(..., { manual: true })` and `msgReply`), as the Azle binding's does: each
   * message was encoded when it was queued, so a poll only reads and splices. An unknown gateway gets an
   * empty batch, as from the reference implementation. Every reply carries `next_nonce`, the live end of
   * the gateway's queue (an ic-ws extension, protocol.md section 8).
   */
  wsGetMessagesCandid(args: CanisterWsGetMessagesArguments, caller: Principal = this.host.caller()): Uint8Array {
    const gateway = this.queues.gateway(caller.toText());
    // An unknown gateway's first message will get nonce 0: that is the live end of its (empty) queue.
    if (!gateway) return emptyReplyCandid(0n);
    if (args.nonce >= gateway.record.nextNonce || gateway.record.oldestNonce >= gateway.record.nextNonce) {
      return emptyReplyCandid(gateway.record.nextNonce);
    }
    const cert = this.host.dataCertificate();
    if (cert === undefined) return new Uint8Array(IDL.encode([CanisterWsGetMessagesResultIdl], [err(WsErrorMessage.NoDataCertificate)]));
    return buildMessagesReply(this.queues, gateway, args.nonce, cert, {
      maxMessages: this.options.maxMessagesPerPoll,
      maxBytes: this.options.maxReplyBytes,
    });
  }

  /**
   * {@link wsGetMessagesCandid} decoded, for an entry point that returns values: the same reply, plus a Candid
   * decode here and an encode by the runtime, which an interpreter pays per message.
   */
  wsGetMessages(args: CanisterWsGetMessagesArguments, caller: Principal = this.host.caller()): CanisterWsGetMessagesResult {
    return IDL.decode([CanisterWsGetMessagesResultIdl], this.wsGetMessagesCandid(args, caller))[0] as unknown as CanisterWsGetMessagesResult;
  }

  // --- app API ------------------------------------------------------------------------------------------

  /**
   * Queues `message` for one connection (a client key) or for every connection of a principal.
   * All or nothing: throws `CanisterError` (`CLIENT_NOT_CONNECTED`, `MESSAGE_TOO_LARGE`, `QUEUE_FULL`,
   * `CANDID_ENCODE`) without queueing anything.
   */
  send(to: ClientKey | Principal, message: AppMessage): void {
    this.batch(() => this.outbox.queueApp(this.targetsOf(to), this.encodeApp(message), this.host.time()));
  }

  /**
   * Queues `message` for every connection; returns how many. All or nothing, like {@link send}. Its cost grows
   * with the number of connections, all in the calling execution.
   */
  broadcast(message: AppMessage): number {
    return this.batch(() => {
      const targets = this.registry.all();
      if (targets.length > 0) this.outbox.queueApp(targets, this.encodeApp(message), this.host.time());
      return targets.length;
    });
  }

  /**
   * Closes one connection or every connection of a principal: queues `CloseMessage{ClosedByApplication}`,
   * removes it and calls `onClose`. Throws `CLIENT_NOT_CONNECTED` if there is none.
   */
  close(to: ClientKey | Principal): void {
    this.batch(() => {
      const now = this.host.time();
      for (const client of this.targetsOf(to)) this.removeClient(client, 'ClosedByApplication', now);
    });
  }

  /** Every open connection. */
  clients(): ClientKey[] {
    return this.registry.all().map(clientKeyOf);
  }

  /** The open connections of `principal`, oldest first. */
  connectionsOf(principal: Principal): ClientKey[] {
    return this.registry.ofPrincipal(principal).map(clientKeyOf);
  }

  /** Whether this client key, or any connection of this principal, is open. */
  isConnected(target: ClientKey | Principal): boolean {
    return isClientKey(target) ? this.registry.get(target) !== undefined : this.registry.countOfPrincipal(target) > 0;
  }

  /**
   * Runs `fn` and sets the certified data once at the end, however many messages it queued. Entry points
   * and timers already run as one batch; use this around several `send`s in your own update methods.
   */
  batch<T>(fn: () => T): T {
    if (this.depth === 0) {
      this.registry.hold();
      this.queues.hold();
    }
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0) {
        // Records changed by the batch are written once, here, however many messages changed them.
        this.registry.flush();
        this.queues.flush();
        if (this.queues.dirty) this.host.certifiedDataSet(this.queues.takeCertifiedData());
      }
    }
  }


  // --- internals ----------------------------------------------------------------------------------------

  private decodeApp(content: Uint8Array): { value: AppMessage } | undefined {
    try {
      return { value: this.appDecoder.decode(content) };
    } catch {
      // The Err text is the whole report: the decoder's message could echo attacker-chosen bytes.
      return undefined;
    }
  }

  private handlerErrorReason(error: unknown): string {
    try {
      return String(this.options.handlerErrorReason(error));
    } catch {
      // A reason function that throws must not undo the catch that called it.
      return WsErrorMessage.HandlerFailed;
    }
  }

  private queueReceipt(client: ConnectedClient, sequenceNum: bigint, outcome: ReceiptOutcome, now: bigint): void {
    // The handler may have closed this very client; a receipt for a removed client has nowhere to go.
    if (this.registry.get(clientKeyOf(client)) !== client) return;
    this.outbox.queue(client, true, receiptMessageContent(sequenceNum, outcome), now);
  }

  /** The presence half of `ws_close`: proves the calling gateway, registering it if needed. */
  private presence(caller: Principal, gateway: GatewayQueue | undefined, now: bigint): CanisterWsCloseResult {
    if (!this.admission.isAllowed(caller.toText())) return err(WsErrorMessage.PresenceNotAllowed);
    const refused = this.prove(caller, gateway, now);
    return refused === undefined ? OK : err(refused);
  }

  /**
   * Makes `gateway` (or, when `undefined`, a new registration of `caller`) proven, dropping the oldest merely
   * vouched gateway if that is what it takes; returns the refusal when there is no room.
   */
  private prove(caller: Principal, gateway: GatewayQueue | undefined, now: bigint): WsErrorMessage | undefined {
    if (gateway?.record.standing.kind === 'proven') return undefined;
    const plan = this.admission.planProve(gateway);
    if ('error' in plan) return plan.error;
    if (plan.evict !== undefined) this.dropGateway(plan.evict, now);
    if (gateway !== undefined) {
      this.queues.setStanding(gateway, { kind: 'proven' });
    } else {
      // Registered without clients: forgotten after an ack interval unless a client opens through it.
      this.queues.setEmptySince(this.queues.register(caller, { kind: 'proven' }), now);
    }
    this.pendingExpiry.schedule(this.admission.nextExpiryNs());
    return undefined;
  }

  /** A keep-alive acknowledging the early ack vouches for the client's pending gateway, when there is room. */
  private vouch(client: ConnectedClient, acknowledged: bigint, now: bigint): void {
    if (acknowledged < EARLY_ACK_SEQUENCE_NUM) return;
    const gateway = this.outbox.gatewayOf(client.gatewayText);
    if (!this.admission.canVouch(gateway)) return;
    this.queues.setStanding(gateway, { kind: 'vouched', sinceNs: now });
    this.pendingExpiry.schedule(this.admission.nextExpiryNs());
  }

  /** Drops every pending gateway whose time ran out, with its clients; re-arms for the next one. */
  private expirePendingGateways(): void {
    const now = this.host.time();
    for (const gateway of this.admission.expired(now)) this.dropGateway(gateway, now);
    this.pendingExpiry.schedule(this.admission.nextExpiryNs());
  }

  /** Removes an unproven gateway's clients (`GatewayNotConfirmed`) and forgets it with its queue. */
  private dropGateway(gateway: GatewayQueue, now: bigint): void {
    for (const client of this.registry.ofGateway(gateway.text)) this.removeClient(client, 'GatewayNotConfirmed', now);
    if (this.queues.gateway(gateway.text) === gateway) this.queues.forget(gateway);
  }

  private handleServiceMessage(client: ConnectedClient, content: Uint8Array, now: bigint): CanisterWsMessageResult {
    let decoded: WebsocketServiceMessageContent;
    try {
      decoded = decodeServiceMessageContent(content);
    } catch {
      // Undecodable bytes are as much a protocol violation as a service message the client may not send.
      return this.rejectServiceMessage(client, now);
    }
    if ('KeepAliveMessage' in decoded) {
      client.record.lastKeepAliveNs = now;
      this.registry.save(client);
      this.vouch(client, decoded.KeepAliveMessage.last_incoming_sequence_num, now);
      return OK;
    }
    return this.rejectServiceMessage(client, now);
  }

  private rejectServiceMessage(client: ConnectedClient, now: bigint): CanisterWsMessageResult {
    this.removeClient(client, 'InvalidServiceMessage', now);
    return err(WsErrorMessage.InvalidServiceMessage);
  }

  private encodeApp(message: AppMessage): Uint8Array {
    try {
      return this.appEncoder.encode(message);
    } catch (error) {
      throw new CanisterError(ErrorCode.CandidEncode, 'the message does not encode as appMessageIdl', { cause: error });
    }
  }

  private targetsOf(to: ClientKey | Principal): ConnectedClient[] {
    const targets = isClientKey(to) ? [this.registry.get(to)].filter((c) => c !== undefined) : this.registry.ofPrincipal(to);
    if (targets.length === 0) {
      const who = isClientKey(to) ? `client key ${to.client_principal.toText()}:${to.client_nonce}` : `principal ${to.toText()}`;
      throw new CanisterError(ErrorCode.ClientNotConnected, `${who} has no open connection`);
    }
    return targets;
  }

  private removeClient(client: ConnectedClient, reason: WsCloseReason, now: bigint): void {
    // A handler may already have closed it (onClose closing a principal's other connections, say).
    if (this.registry.get(clientKeyOf(client)) !== client) return;
    if (PROTOCOL_CLOSE_REASONS.has(reason)) {
      this.outbox.queue(client, true, closeMessageContent(reason as CloseMessageReasonName), now);
    }
    this.registry.remove(client);
    if (this.registry.countOfGateway(client.gatewayText) === 0) this.queues.setEmptySince(this.outbox.gatewayOf(client.gatewayText), now);
    this.options.onClose(clientKeyOf(client), reason);
  }
}

/**
 * Creates the WebSocket core of a canister over `host`; options are validated here (`INVALID_OPTIONS`).
 * Call `start()` on the result in init and post_upgrade.
 */
export function createWsCanister<AppMessage>(
  host: CanisterHost,
  options: WsCanisterOptions<AppMessage>,
): IcWebSocketCanister<AppMessage> {
  return new IcWebSocketCanister(host, options);
}
