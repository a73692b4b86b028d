import type { Logger } from 'pino';
import { CloseCode, ErrorCode } from 'ic-ws-protocol';
import { describeError } from '../gateway-error';
import { GatewayError } from '../gateway-error';
import type { WsCloseObserver } from '../keys/ws-closer';
import type { PollerObserver } from '../poller/poller-observer';
import type { SessionObserver } from '../session/session-ports';
import { clientKeyText } from '../session/session-state';
import type { GatewayMetrics } from './gateway-metrics';
import type { IcHealth } from './ic-health';

// Close codes that mean "the client sent something the gateway may not relay".
const CLIENT_FRAME_FAULTS = new Set<number>([
  CloseCode.InvalidFirstFrame,
  CloseCode.InvalidEnvelope,
  CloseCode.WrongMethod,
  CloseCode.WrongCanister,
  CloseCode.WrongSender,
  CloseCode.InvalidFrame,
  CloseCode.WrongGatewayPrincipal,
  CloseCode.MessageTooBig,
]);

/** Told about transient IC failures and relay times (the load monitor: while the IC struggles, new sessions wait). */
export interface IcLoadSink {
  recordIcFailure(): void;
  recordRelay(durationMs: number): void;
}

/** The session observer of a running gateway: metrics plus one log line per state change. */
export function sessionObserver(metrics: GatewayMetrics, log: Logger, load: IcLoadSink): SessionObserver {
  return {
    stateChanged(from, to) {
      metrics.sessions.dec({ state: from });
      if (to.kind === 'closed') {
        metrics.sessionCloses.inc({ code: String(to.reason.code) });
        if (CLIENT_FRAME_FAULTS.has(to.reason.code)) metrics.errors.inc({ code: ErrorCode.ClientFrameInvalid });
        log.debug({ from, code: to.reason.code, reason: to.reason.reason, client: to.target ? clientKeyText(to.target.clientKey) : undefined }, 'session closed');
      } else {
        metrics.sessions.inc({ state: to.kind });
        log.debug({ from, to: to.kind, client: 'target' in to ? clientKeyText(to.target.clientKey) : undefined }, 'session state');
      }
    },
    frameIn(bytes) {
      metrics.framesIn.inc();
      metrics.bytesIn.inc(bytes);
    },
    framesOut(count, bytes) {
      metrics.framesOut.inc(count);
      metrics.bytesOut.inc(bytes);
    },
    relayed(method, outcome, error) {
      metrics.relayedCalls.inc({ method, outcome });
      if (outcome !== 'ok') {
        metrics.errors.inc({ code: outcome });
        log.info({ method, code: outcome, err: describeError(error) }, 'relay failed');
      }
    },
    posted(method, seconds) {
      metrics.relayDuration.observe({ method }, seconds);
      load.recordRelay(seconds * 1000);
    },
    relayRetried(method, error, delayMs) {
      metrics.relayRetries.inc({ method });
      load.recordIcFailure();
      log.debug({ method, delayMs, err: describeError(error) }, 'relay failed for a transient reason; posting it again');
    },
  };
}

/** The ws_close observer of a running gateway: metrics and logs. */
export function wsCloseObserver(metrics: GatewayMetrics, log: Logger): WsCloseObserver {
  return {
    wsClosed(key, outcome, error) {
      metrics.wsCloseCalls.inc({ outcome });
      if (outcome !== 'ok') {
        metrics.errors.inc({ code: outcome });
        log.warn({ canister: key.canisterId.toText(), client: clientKeyText(key.clientKey), code: outcome, err: describeError(error) }, 'ws_close failed');
      }
    },
    wsCloseRetried(key, error, delayMs) {
      metrics.wsCloseRetries.inc();
      log.debug({ canister: key.canisterId.toText(), client: clientKeyText(key.clientKey), delayMs, err: describeError(error) }, 'ws_close failed for a transient reason; retrying');
    },
  };
}

/** The poller observer of a running gateway: metrics, `/readyz` health and logs. */
export function pollerObserver(canisterText: string, metrics: GatewayMetrics, health: IcHealth, log: Logger, load: IcLoadSink): PollerObserver {
  return {
    polled(outcome, seconds, error) {
      metrics.pollDuration.observe({ outcome }, seconds);
      if (error instanceof GatewayError && error.transient) load.recordIcFailure();
      // A successful poll proves the IC reachable; a failed one may be one canister's fault (a trap, an
      // upgrade), so only the status check marks the gateway unready.
      if (outcome === 'ok') health.polledOk(performance.now());
      if (outcome !== 'ok') {
        metrics.errors.inc({ code: outcome });
        log.warn({ canister: canisterText, code: outcome, err: describeError(error) }, 'poll failed');
      }
    },
    nonceResync(kind, expected, received) {
      metrics.nonceResyncs.inc({ kind });
      log.warn({ canister: canisterText, kind, expected: String(expected), received: String(received) }, 'canister nonces resynchronised');
    },
    skipped(reason) {
      metrics.messagesSkipped.inc({ reason });
      if (reason !== 'unknown_client') metrics.errors.inc({ code: ErrorCode.PollFailed });
    },
  };
}
