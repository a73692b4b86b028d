/** IPC messages between gateway.bench.ts and its child processes (bench-server.ts, bench-clients.ts). */

/** Orchestrator -> server. */
export type ServerCommand =
  | { cmd: 'memory' }
  | { cmd: 'prepare-burst'; perClient: number }
  /** Starts sending what `prepare-burst` queued and the server's CPU count. */
  | { cmd: 'release-burst' }
  /** Asks for the CPU time spent since the last `release-burst`. */
  | { cmd: 'cpu' }
  | { cmd: 'exit' };

/** Server -> orchestrator. */
export type ServerEvent =
  | { type: 'ready'; url: string; gatewayPrincipal: string }
  | { type: 'memory'; clients: number; usage: NodeJS.MemoryUsage }
  | { type: 'burst-prepared'; total: number }
  | { type: 'cpu'; userUs: number; systemUs: number };

/** Orchestrator -> clients. */
export type ClientsCommand =
  /** Opens `count` sessions, client indexes `first`, `first + 1`, ... */
  | { cmd: 'open'; first: number; count: number }
  /** Counts the next `total` canister frames. */
  | { cmd: 'count'; total: number }
  | { cmd: 'exit' };

/** Clients -> orchestrator. */
export type ClientsEvent =
  | { type: 'ready' }
  | { type: 'opened'; count: number; ms: number }
  | { type: 'counting' }
  | { type: 'counted'; total: number };
