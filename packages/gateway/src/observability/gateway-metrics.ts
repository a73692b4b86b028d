import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The gateway's Prometheus metrics, on a registry of its own (two gateways in one process do not clash).
 * Labels are low-cardinality by design: method, outcome, code, state, reason; never a client or canister.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'ic_ws_gateway_connections', help: 'Open WebSocket connections', registers: [this.registry] });
  readonly connectionsTotal = new Counter({
    name: 'ic_ws_gateway_connections_total',
    help: 'WebSocket connections accepted since start',
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: 'ic_ws_gateway_connections_refused_total',
    help: 'Upgrades refused (connection limit reached or draining)',
    registers: [this.registry],
  });
  readonly sessions = new Gauge({
    name: 'ic_ws_gateway_sessions',
    help: 'Sessions by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly sessionCloses = new Counter({
    name: 'ic_ws_gateway_session_closes_total',
    help: 'Ended sessions by close code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly framesIn = new Counter({ name: 'ic_ws_gateway_frames_in_total', help: 'Frames received from clients', registers: [this.registry] });
  readonly framesOut = new Counter({ name: 'ic_ws_gateway_frames_out_total', help: 'Frames sent to clients', registers: [this.registry] });
  readonly bytesIn = new Counter({ name: 'ic_ws_gateway_bytes_in_total', help: 'Bytes received from clients', registers: [this.registry] });
  readonly bytesOut = new Counter({ name: 'ic_ws_gateway_bytes_out_total', help: 'Bytes sent to clients', registers: [this.registry] });
  readonly relayedCalls = new Counter({
    name: 'ic_ws_gateway_relayed_calls_total',
    help: 'Client envelopes relayed to the IC, by method and outcome (ok or an error code)',
    labelNames: ['method', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly wsCloseCalls = new Counter({
    name: 'ic_ws_gateway_ws_close_calls_total',
    help: 'ws_close calls made by the gateway, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly pollDuration = new Histogram({
    name: 'ic_ws_gateway_poll_duration_seconds',
    help: 'Latency of ws_get_messages polls, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  #pollerCount: () => number = () => 0;
  readonly pollers: Gauge = new Gauge({
    name: 'ic_ws_gateway_pollers',
    help: 'Canisters being polled',
    registers: [this.registry],
    // Read at scrape time, so the gauge can never drift from the registry it reports on.
    collect: (): void => this.pollers.set(this.#pollerCount()),
  });
  readonly messagesSkipped = new Counter({
    name: 'ic_ws_gateway_messages_skipped_total',
    help: 'Canister messages not delivered, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly nonceResyncs = new Counter({
    name: 'ic_ws_gateway_nonce_resyncs_total',
    help: 'Times a poller followed a canister whose nonces restarted or jumped',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'ic_ws_gateway_errors_total',
    help: 'Errors by ic-ws error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** Makes the `ic_ws_gateway_pollers` gauge report `count()` at every scrape. */
  countPollersWith(count: () => number): void {
    this.#pollerCount = count;
  }

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'ic_ws_gateway_' });
  }
}
