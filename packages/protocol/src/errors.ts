/**
 * The error-code registry of ic-ws. Every error thrown by any ic-ws package carries one of these codes,
 * so callers can branch on `error.code` instead of parsing messages. Codes are stable across releases;
 * `docs/protocol.md` lists each one with its meaning.
 */
export const ErrorCode = {
  // --- wire decoding (ic-ws-protocol) ---
  /** Bytes are not well-formed CBOR (truncated, bad major type, trailing bytes, too deep). */
  CborMalformed: 'CBOR_MALFORMED',
  /** Well-formed CBOR whose shape or field types do not match the expected structure. */
  CborInvalidShape: 'CBOR_INVALID_SHAPE',
  /** A field exceeds its size limit (for example a 10 MB blob where a principal is expected). */
  FieldTooLarge: 'FIELD_TOO_LARGE',
  /** Candid bytes that do not decode to the expected type. */
  CandidDecode: 'CANDID_DECODE',
  /** A value that cannot be Candid-encoded as its declared type (a caller bug, not peer input). */
  CandidEncode: 'CANDID_ENCODE',
  /** An outgoing message key that does not follow `<gateway principal>_<20-digit nonce>`. */
  InvalidKey: 'INVALID_KEY',
  /** A principal that cannot be parsed. */
  InvalidPrincipal: 'INVALID_PRINCIPAL',
  /** A hash tree that is not a valid IC hash tree. */
  HashTreeMalformed: 'HASH_TREE_MALFORMED',
  /** A value outside its allowed range (a nonce above 2^64-1, a negative sequence number, ...). */
  OutOfRange: 'OUT_OF_RANGE',
  /** Options rejected at construction. */
  InvalidOptions: 'INVALID_OPTIONS',
  // --- certified messages (ic-ws-protocol's verifyCertifiedMessage; the client closes with the matching 42xx) ---
  /** A witness whose root hash is not the certified data, or that does not prove sha256 of the message. */
  WitnessInvalid: 'WITNESS_INVALID',
  /** A certified message addressed to another client key (possibly another client's message). */
  WrongClientKey: 'WRONG_CLIENT_KEY',
  /** A message key naming another gateway than the expected one (the handshake's, for a client). */
  WrongGateway: 'WRONG_GATEWAY',
  /** A message key whose nonce is not above the previous one: a replayed or reordered message. */
  NonceNotGrowing: 'NONCE_NOT_GROWING',
  /** A canister message whose sequence number is not exactly the next expected: one was dropped. */
  WrongSequenceNumber: 'WRONG_SEQUENCE_NUMBER',

  // --- devnet (ic-ws-devnet) ---
  /** `azle build` failed; the message carries azle's output. */
  AzleBuildFailed: 'AZLE_BUILD_FAILED',
  /** A wasm module that cannot be patched, compiled or instantiated as a canister. */
  CanisterWasmInvalid: 'CANISTER_WASM_INVALID',
  /** `canister_init` or an upgrade hook trapped, so the install or upgrade was abandoned. */
  CanisterInstallFailed: 'CANISTER_INSTALL_FAILED',
  /** An operation named a canister the devnet does not host. */
  CanisterNotFound: 'CANISTER_NOT_FOUND',
  /** A canister trapped (internal to the devnet's execution engine; surfaces as a reject). */
  CanisterTrapped: 'CANISTER_TRAPPED',
  /** The devnet was used after `close()`. */
  DevnetClosed: 'DEVNET_CLOSED',
  /** Another running devnet holds the state directory (`stateDir`). */
  StateDirLocked: 'STATE_DIR_LOCKED',
  /** A state directory the devnet cannot use: not a devnet's, a newer format, or no readable checkpoint. */
  StateDirInvalid: 'STATE_DIR_INVALID',

  // --- IC HTTP interface (ic-ws-devnet) ---
  /** An HTTP request body larger than the interface accepts. */
  HttpBodyTooLarge: 'HTTP_BODY_TOO_LARGE',
  /** An HTTP request to a path or with a method the IC interface does not serve. */
  HttpRouteNotFound: 'HTTP_ROUTE_NOT_FOUND',
  /** A request envelope that is not CBOR of the expected shape (missing content, wrong request_type, ...). */
  RequestMalformed: 'REQUEST_MALFORMED',
  /** A sender signature (or public key) that does not verify, or is missing for a non-anonymous sender. */
  RequestSignatureInvalid: 'REQUEST_SIGNATURE_INVALID',
  /** `content.sender` is not the self-authenticating principal of `sender_pubkey`. */
  RequestSenderMismatch: 'REQUEST_SENDER_MISMATCH',
  /** `ingress_expiry` in the past or too far in the future. */
  RequestExpiryInvalid: 'REQUEST_EXPIRY_INVALID',
  /** A delegation chain that is expired, badly signed, too long or does not target the addressed canister. */
  DelegationInvalid: 'DELEGATION_INVALID',
  /** The canister id in the URL differs from the one in the request, or a path names another canister. */
  EffectiveCanisterMismatch: 'EFFECTIVE_CANISTER_MISMATCH',
  /** A read_state path the interface does not serve, or one the sender may not read. */
  ReadStatePathInvalid: 'READ_STATE_PATH_INVALID',

  // --- gateway (ic-ws-gateway) ---
  /** The gateway's identity file exists but does not hold an Ed25519 private key in PKCS#8 PEM. */
  IdentityFileInvalid: 'IDENTITY_FILE_INVALID',
  /** The IC root key could not be loaded or fetched, or fetching it was not allowed for a non-local IC. */
  RootKeyUnavailable: 'ROOT_KEY_UNAVAILABLE',
  /** A client frame that is not a valid client request, or an envelope the session may not relay. */
  ClientFrameInvalid: 'CLIENT_FRAME_INVALID',
  /** Relaying an envelope failed before the IC answered (network error, timeout, unexpected answer). */
  RelayFailed: 'RELAY_FAILED',
  /** The IC refused a relayed envelope (an HTTP error status or a rejection in the call's answer). */
  RelayRejected: 'RELAY_REJECTED',
  /** A `ws_get_messages` query failed, timed out, returned `Err` or a malformed batch. */
  PollFailed: 'POLL_FAILED',
  /** The gateway's `ws_close` update call failed or returned `Err`. */
  WsCloseFailed: 'WS_CLOSE_FAILED',
  /** A gateway server (WebSocket or admin) could not listen on its address. */
  ListenFailed: 'LISTEN_FAILED',

  // --- canister (ic-ws-canister) ---
  /** The app sent to or closed a client key or principal that has no open connection. */
  ClientNotConnected: 'CLIENT_NOT_CONNECTED',
  /** An outgoing message so large that a `ws_get_messages` reply could never carry it. */
  MessageTooLarge: 'MESSAGE_TOO_LARGE',
  /** A gateway's outgoing queue is at `maxQueuedMessagesPerGateway`; nothing was queued. */
  QueueFull: 'QUEUE_FULL',
  /** A record in stable storage that does not decode (a corrupted or foreign stable memory). */
  StableStateCorrupt: 'STABLE_STATE_CORRUPT',
  /** The app API of an Azle canister was used before its init or post_upgrade started it (at module level, say). */
  CanisterNotStarted: 'CANISTER_NOT_STARTED',

  // --- client (ic-ws-client) ---
  /** The gateway's first frame is missing or is not a well-formed handshake frame. */
  HandshakeInvalid: 'HANDSHAKE_INVALID',
  /** A certificate failed verification: BLS signature, delegation, canister range, or its time is out of bounds. */
  CertificateInvalid: 'CERTIFICATE_INVALID',
  /** A canister message (frame, key, content or service message) that does not decode or is not expected now. */
  InvalidCanisterMessage: 'INVALID_CANISTER_MESSAGE',
  /** No ack from the canister within the ack interval plus the margin. */
  AckTimeout: 'ACK_TIMEOUT',
  /** An ack acknowledging more messages than the client sent. */
  AckAboveSent: 'ACK_ABOVE_SENT',
  /** The canister's OpenMessage did not arrive within the client's open timeout. */
  OpenTimeout: 'OPEN_TIMEOUT',
  /** The canister closed the connection with a CloseMessage. */
  ClosedByCanister: 'CLOSED_BY_CANISTER',
  /** The gateway or the network closed the socket. */
  ConnectionLost: 'CONNECTION_LOST',
  /** Every reconnection attempt failed; the client gave up. */
  ReconnectExhausted: 'RECONNECT_EXHAUSTED',
  /** `send` while the bounded outgoing queue is full; the message was not queued. */
  OutgoingQueueFull: 'OUTGOING_QUEUE_FULL',
  /** `send` on a connection that is closing or closed. */
  NotOpen: 'NOT_OPEN',
  /** The identity failed to sign a request (for example an expired delegation). */
  SigningFailed: 'SIGNING_FAILED',
  /** The canister took a message and reported it failed (its handler threw, or the content did not decode). */
  MessageFailed: 'MESSAGE_FAILED',
  /**
   * A message reached the gateway but the connection ended before the canister acknowledged it, and it cannot be
   * re-sent safely (the canister does not offer receipts, so it would not drop a duplicate): it may or may not
   * have arrived.
   */
  DeliveryUnconfirmed: 'DELIVERY_UNCONFIRMED',
  /** A message never reached a gateway: the connection closed for good, or it was stored longer than allowed. */
  NotSent: 'NOT_SENT',
  /** The persistent outbox could not store or remove a message (storage full or unavailable). */
  OutboxStorageFailed: 'OUTBOX_STORAGE_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error thrown by ic-ws packages. */
export class IcWsError extends Error {
  override readonly name: string = 'IcWsError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Thrown by ic-ws-protocol codecs and data structures. */
export class ProtocolError extends IcWsError {
  override readonly name = 'ProtocolError';
}
