import type { ConnectionFailure, IcWsStateChangeEvent } from 'ic-ws-client';

/** Why the connection failed, in words for the user (see `ConnectionFailure` of ic-ws-client). */
export function describeFailure(failure: ConnectionFailure): string {
  switch (failure.kind) {
    case 'gateway-unreachable':
      return 'the gateway cannot be reached';
    case 'gateway-closed':
      return `the gateway closed the connection (code ${failure.code})`;
    case 'verification-failed':
      return `a message failed verification (code ${failure.code}): the gateway cannot be trusted`;
    case 'canister-closed':
      return `the canister closed the connection (code ${failure.code})`;
    case 'timeout':
      return `no answer from the canister in time (code ${failure.code})`;
    case 'client-error':
      return failure.reason;
  }
}

/** The detail line next to the connection state: why it reconnects and when, or why it changed. */
export function connectionDetail(event: IcWsStateChangeEvent): string {
  const why = event.failure === undefined ? event.reason : describeFailure(event.failure);
  if (event.reconnect === undefined) return why;
  const seconds = Math.round(event.reconnect.delayMs / 100) / 10;
  return `${why}; attempt ${event.reconnect.attempt} in ${seconds} s`;
}
