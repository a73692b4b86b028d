export { ErrorCode, IcWsError, ProtocolError } from './errors';

// --- CBOR: strict decoding to Map-based values, insertion-ordered encoding, shape checks ---
export {
  cborEncode,
  cborDecode,
  type CborDecodeOptions,
  hasSelfDescribeTag,
  SELF_DESCRIBE_TAG,
  type CborValue,
  type CborEncodable,
} from './cbor/cbor';
export { expectArray, expectBool, expectBytes, expectMap, expectRecord, expectText, expectU64 } from './cbor/shape';

// --- IC hash tree and certified map ---
export {
  NodeType,
  HASH_LENGTH,
  empty,
  fork,
  labeled,
  leaf,
  pruned,
  emptyHash,
  forkHash,
  labeledHash,
  leafHash,
  reconstruct,
  flattenForks,
  lookupPath,
  lookupSubtree,
  labeledForest,
  NodeHasher,
  defaultNodeHasher,
} from './hash-tree/hash-tree';
export type {
  Sha256Into,
  HashTree,
  EmptyNode,
  ForkNode,
  LabeledNode,
  LeafNode,
  PrunedNode,
  LookupResult,
  SubtreeLookupResult,
} from './hash-tree/hash-tree';
export { prunePaths } from './hash-tree/prune-paths';
export { assertWellFormed } from './hash-tree/well-formed';
export { compareBytes, utf8Bytes, type LabelInput } from './hash-tree/label-bytes';
export {
  encodeHashTree,
  decodeHashTree,
  hashTreeFromCbor,
  HASH_TREE_DECODE_DEFAULTS,
  type HashTreeDecodeOptions,
  type HashTreeEncodeOptions,
} from './hash-tree/hash-tree-cbor';
export { CertifiedMap, labeledRootHash, CERTIFIED_MAP_MAX_KEY_BYTES } from './hash-tree/certified-map';
export { hashedKeyPriority } from './hash-tree/treap-node';
export { CertifiedTreeMap } from './hash-tree/certified-tree-map';

// --- wire codecs: Candid types and IDL, CBOR messages and frames, keys, defaults, close codes ---
export type {
  ClientKey,
  WebsocketMessage,
  CanisterOutputMessage,
  CanisterOutputCertifiedMessages,
  CanisterWsOpenArguments,
  CanisterWsOpenResult,
  CanisterWsCloseArguments,
  CanisterWsCloseResult,
  CanisterWsMessageArguments,
  CanisterWsMessageResult,
  CanisterWsGetMessagesArguments,
  CanisterWsGetMessagesResult,
  CanisterOpenMessageContent,
  CanisterReceiptMessageContent,
  ReceiptOutcome,
  ClientMessageId,
  CanisterAckMessageContent,
  ClientKeepAliveMessageContent,
  CloseMessageReason,
  CloseMessageReasonName,
  CanisterCloseMessageContent,
  WebsocketServiceMessageContent,
} from './candid/types';
export { CLOSE_MESSAGE_REASONS } from './candid/types';
export {
  ClientKeyIdl,
  WebsocketMessageIdl,
  CanisterOutputMessageIdl,
  CanisterOutputCertifiedMessagesIdl,
  CanisterWsOpenArgumentsIdl,
  CanisterWsOpenResultIdl,
  CanisterWsCloseArgumentsIdl,
  CanisterWsCloseResultIdl,
  CanisterWsMessageArgumentsIdl,
  CanisterWsMessageResultIdl,
  CanisterWsGetMessagesArgumentsIdl,
  CanisterWsGetMessagesResultIdl,
  CanisterOpenMessageContentIdl,
  CanisterReceiptMessageContentIdl,
  ReceiptOutcomeIdl,
  ClientMessageIdIdl,
  CanisterAckMessageContentIdl,
  ClientKeepAliveMessageContentIdl,
  CloseMessageReasonIdl,
  CanisterCloseMessageContentIdl,
  WebsocketServiceMessageContentIdl,
} from './candid/idl';
export {
  DEFAULT_APP_MESSAGE_IDL,
  wsServiceMethods,
  wsServiceIdlFactory,
  wsServiceFields,
  wsServiceDid,
  type WsServiceMethod,
  type WsServiceMethodName,
  type WsServiceSignatures,
} from './candid/ws-service';
export { translateIdl, idlFactoryOf, type CandidIdl } from './candid/idl-factory';
export {
  encodeServiceMessageContent,
  decodeServiceMessageContent,
  MAX_SERVICE_MESSAGE_BYTES,
} from './candid/service-message';
export { assertNoZeroSizedVectors } from './candid/zero-sized-vec-guard';
export { decodeWsGetMessagesResult } from './candid/get-messages-result';
export { WsMessageArgsDecoder, type WsMessageArgs } from './candid/ws-message-args';
export { candidTypeHeader, hasCandidHeader } from './candid/candid-type-header';
export { encodeCanisterOutputMessage, encodeMessagesReplyOk, type MessagesReplyFields } from './candid/messages-reply-bytes';
export {
  WS_EXTENSIONS,
  CLIENT_OUTBOX_ID_BYTES,
  MAX_RECEIPT_REASON_BYTES,
  type WsExtensionName,
} from './candid/extensions';
export {
  encodeWebsocketMessage,
  decodeWebsocketMessage,
  websocketMessageEncodedLength,
  MAX_WEBSOCKET_MESSAGE_BYTES,
  type DecodeWebsocketMessageOptions,
} from './cbor/websocket-message';
export {
  encodeHandshakeFrame,
  decodeHandshakeFrame,
  encodeClientRequestFrame,
  decodeClientRequestFrame,
  encodeCanisterMessageFrame,
  decodeCanisterMessageFrame,
  type HandshakeFrame,
  type ClientRequestFrame,
  type DecodedClientRequestFrame,
  type CanisterMessageFrame,
} from './cbor/frames';
export {
  encodeSignedCallEnvelope,
  type SignedCallEnvelope,
  type CallRequestContent,
  type SignedDelegation,
} from './cbor/frames-envelope';
export { CanisterFrameEncoder } from './cbor/canister-frame-encoder';
export { DEFAULT_FRAME_LIMITS, type FrameLimits } from './cbor/frames-limits';
export { MAX_PRINCIPAL_BYTES } from './cbor/shape';
export {
  formatOutgoingKey,
  formatOutgoingKeyOfText,
  parseOutgoingKey,
  outgoingKeyNonce,
  outgoingKeyLength,
  OUTGOING_KEY_NONCE_DIGITS,
  type OutgoingKey,
} from './key';

// --- certified messages: where they sit in the certified data, and the one check every verifier runs ---
export {
  CERTIFIED_LABEL,
  certifiedMessageHash,
  certifiedMessagesRootHash,
  encodeMessagesRangeWitness,
  encodeMessagesWitness,
} from './certified-message/certified-messages-tree';
export { BatchWitness } from './certified-message/batch-witness';
export {
  checkMessageKey,
  verifyCertifiedMessage,
  type MessageKeyExpectation,
  type CertifiedMessageExpectation,
  type CertifiedMessageInput,
  type CertifiedMessage,
} from './certified-message/certified-message';
export { decodeCertificate, type DecodedCertificate, type DecodedDelegation } from './certificate/decode-certificate';
export { encodeCertificate } from './certificate/encode-certificate';
export {
  canisterRangesCover,
  checkDelegationCoversCanister,
  decodeCanisterRanges,
  delegationCanisterRanges,
  encodeCanisterRanges,
  type CanisterRangeShard,
  type CanisterRangesBytes,
  type DelegationCanisterRanges,
} from './certificate/canister-ranges';
export { PROTOCOL_DEFAULTS, type ProtocolDefaults } from './defaults';
export {
  CloseCode,
  closeReasonText,
  isCloseCode,
  closeCodeForCloseMessageReason,
  retryAfterReason,
  parseRetryAfterMs,
  type CloseCodeName,
} from './close-codes';
