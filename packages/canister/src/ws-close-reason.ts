import type { CloseMessageReasonName } from 'ic-ws-protocol';

/**
 * Why a connection ended, as `onClose` is told. The four protocol reasons (`CloseMessageReason`, also sent
 * to the client in a CloseMessage) plus two that send the client nothing: the gateway reported the socket
 * closed (`ws_close`), or the principal opened a connection beyond `maxConnectionsPerPrincipal`.
 */
export type WsCloseReason = CloseMessageReasonName | 'ClosedByGateway' | 'ReplacedByNewConnection';
