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
    help: 'Connections refused or closed before becoming sessions, by reason: limit, per_ip, evicted (oldest silent socket closed to make room), upgrade_timeout, draining, inbound_budget, outbound_budget, ic_unavailable, ic_slow (the last four: overloaded, closed with 1013 and a retry hint)',
    labelNames: ['reason'] as const,
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
  readonly relayDuration = new Histogram({
    name: 'ic_ws_gateway_relay_duration_seconds',
    help: 'Time the IC took to answer one post of a relayed envelope, by method',
    labelNames: ['method'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
    registers: [this.registry],
  });
  readonly relayRetries = new Counter({
    name: 'ic_ws_gateway_relay_retries_total',
    help: 'Relays posted again after a transient failure (IC unreachable, 5xx, 429, timeout), by method',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });
  readonly wsCloseRetries = new Counter({
    name: 'ic_ws_gateway_ws_close_retries_total',
    help: 'ws_close calls made again after a transient failure',
    registers: [this.registry],
  });
  #flow: { inboundBytes: () => number; outboundBytes: () => number; pausedSessions: () => number } = {
    inboundBytes: () => 0,
    outboundBytes: () => 0,
    pausedSessions: () => 0,
  };
  readonly inboundBytes: Gauge = new Gauge({
    name: 'ic_ws_gateway_inbound_bytes',
    help: 'Client bytes held: frames being received plus envelopes waiting for relay (bounded by maxPendingBytes)',
    registers: [this.registry],
    collect: (): void => this.inboundBytes.set(this.#flow.inboundBytes()),
  });
  readonly outboundBytes: Gauge = new Gauge({
    name: 'ic_ws_gateway_outbound_bytes',
    help: 'Canister frames written to clients and not yet flushed (bounded by maxOutboundBytes)',
    registers: [this.registry],
    collect: (): void => this.outboundBytes.set(this.#flow.outboundBytes()),
  });
  readonly pausedSessions: Gauge = new Gauge({
    name: 'ic_ws_gateway_paused_sessions',
    help: 'Sessions whose socket is not read (their envelopes wait for the IC: TCP backpressure)',
    registers: [this.registry],
    collect: (): void => this.pausedSessions.set(this.#flow.pausedSessions()),
  });
  readonly errors = new Counter({
    name: 'ic_ws_gateway_errors_total',
    help: 'Errors by ic-ws error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** Makes the flow gauges report these readings at every scrape. */
  readFlowFrom(flow: { inboundBytes: () => number; outboundBytes: () => number; pausedSessions: () => number }): void {
    this.#flow = flow;
  }

  /** Makes the `ic_ws_gateway_pollers` gauge report `count()` at every scrape. */
  countPollersWith(count: () => number): void {
    this.#pollerCount = count;
  }

  constructor(options: { processMetrics?: boolean } = {}) {
    // Event-loop lag sampled every 100 ms, not prom-client's 10 ms: its timer would wake an idle gateway
    // 100 times a second (a measurable share of an idle gateway's CPU, see bench/idle.bench.ts).
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'ic_ws_gateway_', eventLoopMonitoringPrecision: 100 });
    }
  }
}
