/**
 * The ping-pong client: opens an IC WebSocket to the ping-pong canister, sends pings one at a time and
 * times each round trip from the timestamp the pong carries back.
 */
import type { SignIdentity } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import type { Principal } from '@dfinity/principal';
import { IcWebSocket } from 'ic-ws-client';
import { PingPongMessageIdl, type PingPongMessage, type PingStamp } from '../ping-pong-message';
import { PingPongError } from './ping-pong-error';
import { summarizeRtts, type RttSummary } from './rtt-summary';

/** Options of {@link runPingPong}. */
export interface PingPongOptions {
  /** The gateway's WebSocket URL. */
  gatewayUrl: string;
  /** The ping-pong canister. */
  canisterId: Principal | string;
  /** The IC HTTP endpoint; a loopback one (the devnet) serves the root key. */
  networkUrl: string;
  /**
   * Pings to send, one after the other.
   * @default 100
   */
  pings?: number;
  /**
   * How long to wait for the connection to open, and for each pong.
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * Who signs the messages.
   * @default a fresh Ed25519 identity
   */
  identity?: SignIdentity;
  /**
   * Called once the connection is open (its OpenMessage verified), with the time it took in ms.
   * @default no-op
   */
  onOpen?: (openMs: number) => void;
  /**
   * Called with each pong as it arrives.
   * @default no-op
   */
  onPong?: (pong: PongReport) => void;
}

/** Defaults of {@link PingPongOptions}. */
export const PING_PONG_DEFAULTS = { pings: 100, timeoutMs: 10_000 } as const satisfies Partial<PingPongOptions>;

/** One answered ping. */
export interface PongReport {
  sequence: number;
  rttMs: number;
}

/** The outcome of a run. */
export interface PingPongRun {
  /** From `new IcWebSocket` to the verified OpenMessage, in ms. */
  openMs: number;
  /** Round-trip times in sending order, in ms. */
  rttsMs: number[];
  summary: RttSummary;
}

// Microseconds since the epoch with sub-millisecond resolution (Date.now() has only milliseconds).
const nowUs = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));

/**
 * Connects, sends `pings` pings sequentially (each waits for its pong), closes cleanly, and returns the
 * round-trip times.
 *
 * @throws PingPongError `OPEN_FAILED`, `PONG_TIMEOUT`, `UNEXPECTED_MESSAGE` or `CLOSED_EARLY`.
 * @example
 * const run = await runPingPong({ gatewayUrl: 'ws://127.0.0.1:8080', canisterId, networkUrl: 'http://127.0.0.1:4943' });
 * console.log(formatRttSummary(run.summary));
 */
export async function runPingPong(options: PingPongOptions): Promise<PingPongRun> {
  const settings = { ...PING_PONG_DEFAULTS, ...options };
  if (!Number.isInteger(settings.pings) || settings.pings < 1) {
    throw new PingPongError('INVALID_OPTIONS', `pings must be a positive integer, got ${settings.pings}`);
  }
  const started = performance.now();
  const ws = new IcWebSocket<PingPongMessage>({
    gatewayUrl: settings.gatewayUrl,
    canisterId: settings.canisterId,
    networkUrl: settings.networkUrl,
    identity: settings.identity ?? Ed25519KeyIdentity.generate(),
    appMessageIdl: PingPongMessageIdl,
    // A benchmark measures one connection: a reconnection would hide the failure.
    reconnect: false,
    openTimeoutMs: settings.timeoutMs,
  });
  // Created before the first ping, so no pong can arrive unobserved.
  const messages = ws[Symbol.asyncIterator]();
  try {
    await opened(ws);
    const openMs = performance.now() - started;
    settings.onOpen?.(openMs);
    const rttsMs: number[] = [];
    for (let sequence = 1; sequence <= settings.pings; sequence++) {
      const ping: PingStamp = { sequence, sent_at_us: nowUs() };
      ws.send({ Ping: ping });
      const pong = await withTimeout(messages.next(), settings.timeoutMs, `no pong for ping ${sequence}`);
      const rttMs = Number(nowUs() - checkPong(pong, ping)) / 1000;
      rttsMs.push(rttMs);
      settings.onPong?.({ sequence, rttMs });
    }
    await closed(ws);
    return { openMs, rttsMs, summary: summarizeRtts(rttsMs) };
  } finally {
    ws.close();
    await messages.return?.();
  }
}

/** The pong's timestamp, after checking it answers exactly `ping`. */
function checkPong(result: IteratorResult<PingPongMessage>, ping: PingStamp): bigint {
  if (result.done === true) throw new PingPongError('CLOSED_EARLY', `the connection closed before pong ${ping.sequence}`);
  const message = result.value;
  if (!('Pong' in message) || message.Pong.sequence !== ping.sequence || message.Pong.sent_at_us !== ping.sent_at_us) {
    throw new PingPongError('UNEXPECTED_MESSAGE', `expected the pong of ping ${ping.sequence}, got ${describe(message)}`);
  }
  return message.Pong.sent_at_us;
}

function describe(message: PingPongMessage): string {
  const [kind, stamp] = 'Ping' in message ? ['Ping', message.Ping] : ['Pong', message.Pong];
  return `${kind} ${stamp.sequence} @${stamp.sent_at_us}us`;
}

function opened(ws: IcWebSocket<PingPongMessage>): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener(
      'close',
      (event) => reject(new PingPongError('OPEN_FAILED', `the connection did not open: ${event.reason}`, { cause: event.error })),
      { once: true },
    );
  });
}

function closed(ws: IcWebSocket<PingPongMessage>): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.addEventListener(
      'close',
      (event) => (event.wasClean ? resolve() : reject(new PingPongError('CLOSED_EARLY', `closed uncleanly: ${event.reason}`, { cause: event.error }))),
      { once: true },
    );
    ws.close();
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PingPongError('PONG_TIMEOUT', `${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (error) {
    if (error instanceof PingPongError) throw error;
    throw new PingPongError('CLOSED_EARLY', `the connection failed: ${String(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
