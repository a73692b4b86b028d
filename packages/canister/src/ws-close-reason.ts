import type { CloseMessageReasonName } from 'ic-ws-protocol';

/**
 * Why a connection ended, as `onClose` is told. The four protocol reasons (`CloseMessageReason`, also sent
 * to the client in a CloseMessage) plus three that send the client nothing: the gateway reported the socket
 * closed (`ws_close`), the principal opened a connection beyond `maxConnectionsPerPrincipal`, or the
 * connection's gateway never confirmed (it expired, or was dropped for a newer registration; see
 * `maxPendingClients`).
 */
export type WsCloseReason = CloseMessageReasonName | 'ClosedByGateway' | 'ReplacedByNewConnection' | 'GatewayNotConfirmed';
