import { IcWsError } from 'ic-ws-protocol';

/**
 * Thrown by ic-ws-canister for misuse by the application: sending to or closing a client that is not
 * connected (`CLIENT_NOT_CONNECTED`), a message no reply could carry (`MESSAGE_TOO_LARGE`), a full gateway
 * queue (`QUEUE_FULL`), an app message that does not encode (`CANDID_ENCODE`), bad options
 * (`INVALID_OPTIONS`) or unreadable stable state (`STABLE_STATE_CORRUPT`). A refused operation changes
 * nothing: what was queued before stays queued.
 */
export class CanisterError extends IcWsError {
  override readonly name = 'CanisterError';
}
