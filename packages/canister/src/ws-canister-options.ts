import type { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { ErrorCode, PROTOCOL_DEFAULTS, type ClientKey } from 'ic-ws-protocol';
import { CanisterError } from './canister-error';
import type { WsCloseReason } from './ws-close-reason';

/**
 * The Candid type of app messages. `@dfinity/candid` types every `IDL.Record` and `IDL.Variant` as
 * `IDL.Type<Record<string, any>>` whatever its fields, so such a type is accepted for any object message
 * type: name the message type as the type argument (`defineWsCanister<ChatMessage>(...)`). Candid checks
 * the shape at run time, on both sides.
 */
export type AppMessageIdl<AppMessage> =
  | IDL.Type<AppMessage>
  | (AppMessage extends object ? IDL.Type<Record<string, any>> : never);

/**
 * Options of `createWsCanister`. Only `appMessageIdl` is required; everything else has the default shown
 * (see {@link WS_CANISTER_DEFAULTS}). Handlers run inside the entry point or timer that caused them, so they
 * may call `send`/`close`. An exception from `onMessage` is caught (see `onMessage`); one from `onOpen` or
 * `onClose` traps that execution and the IC rolls it back.
 */
export interface WsCanisterOptions<AppMessage> {
  /** The Candid type of application messages, in both directions (`content` of non-service messages). */
  appMessageIdl: AppMessageIdl<AppMessage>;
  /**
   * Called once a client is registered and its OpenMessage queued.
   * @default no-op
   */
  onOpen?: (client: ClientKey) => void;
  /**
   * Called with each decoded application message, in sequence order. If it throws, the library catches the
   * exception: the message still counts as received (the connection's sequence numbers stay in step, the
   * client's next messages are accepted), `ws_message` returns `Err` (`HandlerFailed`), and a client that asked
   * for receipts gets a certified `ReceiptMessage` naming the message and {@link handlerErrorReason}'s text.
   * Nothing is rolled back: what the handler changed or queued (`send`) before it threw stays done, as with
   * any JavaScript function that throws halfway. Check first, then change state.
   * @default no-op
   */
  onMessage?: (client: ClientKey, message: AppMessage) => void;
  /**
   * The reason text a client is sent when `onMessage` throws (it is certified and readable by the gateway,
   * so it should say nothing secret). Longer than 1024 UTF-8 bytes is shortened.
   * @default the error's `message` (`String(error)` for a non-Error)
   */
  handlerErrorReason?: (error: unknown) => string;
  /**
   * Called after a client has been removed, whatever the reason.
   * @default no-op
   */
  onClose?: (client: ClientKey, reason: WsCloseReason) => void;
  /**
   * How often every client is sent an AckMessage; also how long queued messages and empty gateways are kept.
   * Must be above 60 000 and above `keepAliveTimeoutMs`; clients must be configured with the same value.
   * @default 300_000
   */
  sendAckIntervalMs?: number;
  /**
   * How long after an ack a client may stay silent before it is closed with `KeepAliveTimeout`.
   * @default 60_000
   */
  keepAliveTimeoutMs?: number;
  /**
   * Most messages returned by one `ws_get_messages`.
   * @default 50
   */
  maxMessagesPerPoll?: number;
  /**
   * Byte budget of one `ws_get_messages` reply (messages, witness and certificate). A reply always carries
   * at least one message if any is queued; `send` refuses a message that could never fit. Between 64 KiB
   * and 3 MiB - 64 KiB (the IC caps query replies at 3 MiB).
   * @default 2 MiB (2_097_152)
   */
  maxReplyBytes?: number;
  /**
   * Most simultaneous connections of one principal (tabs with one identity). Opening one more closes that
   * principal's oldest connection (`onClose` reason `ReplacedByNewConnection`), as the Rust library does
   * with its limit of one.
   * @default 10
   */
  maxConnectionsPerPrincipal?: number;
  /**
   * Most clients one timer execution acks, or closes for a missed keep-alive. Rounds over more clients
   * continue in follow-up timer executions, so no execution's cost grows with the number of clients.
   * @default 500
   */
  clientsPerExecution?: number;
  /**
   * Most open connections through confirmed gateways; `ws_open` beyond it returns `Err`. Connections through
   * gateways that have not confirmed are bounded by `maxPendingClients` instead.
   * @default 10_000
   */
  maxClients?: number;
  /**
   * Most confirmed gateways. A gateway a `ws_open` names is *pending* until it proves it holds its key with an
   * update call it signs (a `ws_close`; ic-ws-gateway sends one naming itself as soon as it has polled), and
   * only then counts here; a confirmation beyond the limit is refused. Unconfirmed registrations expire with
   * their clients `keepAliveTimeoutMs` after the first `ws_open` that named them.
   * @default 32
   */
  maxGateways?: number;
  /**
   * The gateways this canister accepts (principals or their text). When set, `ws_open` naming any other gateway
   * is refused outright and the listed ones count as confirmed from their first `ws_open`. Set it when you run
   * your own gateways, and for gateways that never confirm (ic-websocket-gateway 1.4 signs no update until a
   * client leaves).
   * @default undefined (any gateway, confirmed by its own signed call)
   */
  gateways?: readonly (Principal | string)[];
  /**
   * Most connections (and registrations) through gateways that have not confirmed yet. When a `ws_open` would
   * go beyond it, the oldest unconfirmed gateway is dropped with its clients (`onClose` reason
   * `GatewayNotConfirmed`), so registrations naming made-up gateways cannot lock new ones out.
   * @default 1_000
   */
  maxPendingClients?: number;
  /**
   * Offer clients the `receipts` extension (docs/protocol.md section 8): a certified `ReceiptMessage` for every
   * app message sent with a message id (delivered, duplicate, or failed with a reason), and dropping of
   * messages re-sent after a reconnection or a page reload. It costs one queued message per app message.
   * @default true
   */
  receipts?: boolean;
  /**
   * How long the canister remembers the last message id it took from a client outbox (with `receipts`): a
   * message re-sent later than this after its delivery is taken again. ic-ws-client re-sends stored messages
   * for at most `outboxMaxAgeMs` (1 h by default), well within it.
   * @default 86_400_000 (24 h)
   */
  duplicateWindowMs?: number;
  /**
   * Most client outboxes remembered for duplicate dropping; beyond it the least recently used is forgotten
   * (about 100 bytes of stable memory each).
   * @default 20_000
   */
  maxRememberedOutboxes?: number;
  /**
   * Most messages queued for one gateway. App sends and opens beyond it are refused (`QUEUE_FULL`); the
   * canister's own acks and close messages are not, since there are at most a few per client.
   * @default 50_000
   */
  maxQueuedMessagesPerGateway?: number;
}

/** Options after defaults are applied and validation passed. */
export type ResolvedWsCanisterOptions<AppMessage> = Required<Omit<WsCanisterOptions<AppMessage>, 'gateways'>> & {
  /** The allowlist as principal texts, or `undefined` for any gateway. */
  gateways: ReadonlySet<string> | undefined;
};

/** The defaults of every optional field of {@link WsCanisterOptions}. */
export const WS_CANISTER_DEFAULTS = {
  onOpen: () => {},
  onMessage: () => {},
  onClose: () => {},
  handlerErrorReason: (error: unknown) => (error instanceof Error ? error.message : String(error)),
  sendAckIntervalMs: PROTOCOL_DEFAULTS.sendAckIntervalMs,
  keepAliveTimeoutMs: PROTOCOL_DEFAULTS.keepAliveTimeoutMs,
  maxMessagesPerPoll: PROTOCOL_DEFAULTS.maxMessagesPerPoll,
  maxReplyBytes: PROTOCOL_DEFAULTS.maxGetMessagesReplyBytes,
  maxConnectionsPerPrincipal: 10,
  clientsPerExecution: 500,
  maxClients: 10_000,
  maxGateways: 32,
  gateways: undefined,
  maxPendingClients: 1_000,
  receipts: true,
  duplicateWindowMs: 86_400_000,
  maxRememberedOutboxes: 20_000,
  maxQueuedMessagesPerGateway: 50_000,
} as const satisfies Omit<WsCanisterOptions<unknown>, 'appMessageIdl'>;

/** The smallest accepted `sendAckIntervalMs` is just above this (protocol.md section 5). */
export const MIN_SEND_ACK_INTERVAL_MS = PROTOCOL_DEFAULTS.minSendAckIntervalMs;
/** Smallest accepted `maxReplyBytes`: room for a certificate, a witness and a small message. */
export const MIN_REPLY_BYTES = 64 * 1024;
/** Largest accepted `maxReplyBytes`: 64 KiB under the IC's 3 MiB query reply limit. */
export const MAX_REPLY_BYTES = PROTOCOL_DEFAULTS.icMaxQueryReplyBytes - 64 * 1024;

const KNOWN_KEYS = new Set<string>(['appMessageIdl', ...Object.keys(WS_CANISTER_DEFAULTS)]);

/**
 * Applies {@link WS_CANISTER_DEFAULTS} and rejects impossible options with a `CanisterError`
 * (`INVALID_OPTIONS`) naming the field.
 */
export function resolveWsCanisterOptions<AppMessage>(options: WsCanisterOptions<AppMessage>): ResolvedWsCanisterOptions<AppMessage> {
  if (typeof options !== 'object' || options === null) invalid('options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) invalid(`unknown option '${key}'`);
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved = { ...WS_CANISTER_DEFAULTS, ...defined, gateways: resolveAllowlist(options.gateways) } as unknown as ResolvedWsCanisterOptions<AppMessage>;

  const idl = resolved.appMessageIdl as unknown as { encodeValue?: unknown; decodeValue?: unknown } | undefined;
  if (!idl || typeof idl.encodeValue !== 'function' || typeof idl.decodeValue !== 'function') {
    invalid('appMessageIdl must be a Candid IDL type (for example IDL.Text or IDL.Record({...}))');
  }
  for (const name of ['onOpen', 'onMessage', 'onClose', 'handlerErrorReason'] as const) {
    if (typeof resolved[name] !== 'function') invalid(`${name} must be a function`);
  }
  const integers = [
    'sendAckIntervalMs',
    'keepAliveTimeoutMs',
    'maxMessagesPerPoll',
    'maxReplyBytes',
    'maxConnectionsPerPrincipal',
    'clientsPerExecution',
    'maxClients',
    'maxGateways',
    'maxPendingClients',
    'duplicateWindowMs',
    'maxRememberedOutboxes',
    'maxQueuedMessagesPerGateway',
  ] as const;
  for (const name of integers) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 1) invalid(`${name} must be a positive integer, got ${String(value)}`);
  }
  if (resolved.sendAckIntervalMs <= MIN_SEND_ACK_INTERVAL_MS) {
    invalid(`sendAckIntervalMs must be above ${MIN_SEND_ACK_INTERVAL_MS}, got ${resolved.sendAckIntervalMs}`);
  }
  if (resolved.sendAckIntervalMs <= resolved.keepAliveTimeoutMs) {
    invalid(
      `sendAckIntervalMs (${resolved.sendAckIntervalMs}) must be above keepAliveTimeoutMs (${resolved.keepAliveTimeoutMs}): ` +
        'the keep-alive check of one round must run before the next ack',
    );
  }
  if (typeof resolved.receipts !== 'boolean') invalid(`receipts must be a boolean, got ${String(resolved.receipts)}`);
  if (resolved.maxReplyBytes < MIN_REPLY_BYTES || resolved.maxReplyBytes > MAX_REPLY_BYTES) {
    invalid(`maxReplyBytes must be between ${MIN_REPLY_BYTES} and ${MAX_REPLY_BYTES}, got ${resolved.maxReplyBytes}`);
  }
  return resolved;
}

function resolveAllowlist(gateways: WsCanisterOptions<unknown>['gateways']): ReadonlySet<string> | undefined {
  if (gateways === undefined) return undefined;
  if (!Array.isArray(gateways) || gateways.length === 0) invalid('gateways must be a non-empty array of principals (leave it out to accept any gateway)');
  const texts = new Set<string>();
  for (const gateway of gateways as readonly unknown[]) {
    let principal: Principal;
    try {
      principal = typeof gateway === 'string' ? Principal.fromText(gateway) : Principal.from(gateway);
    } catch (error) {
      invalid(`gateways: ${JSON.stringify(String(gateway))} is not a principal (${error instanceof Error ? error.message : String(error)})`);
    }
    if (principal.isAnonymous()) invalid('gateways: the anonymous principal cannot be a gateway');
    texts.add(principal.toText());
  }
  return texts;
}

function invalid(message: string): never {
  throw new CanisterError(ErrorCode.InvalidOptions, `createWsCanister: ${message}`);
}
