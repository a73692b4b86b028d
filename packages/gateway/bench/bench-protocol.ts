/** IPC messages between gateway.bench.ts and its child processes (bench-server.ts, bench-clients.ts). */

/** Orchestrator -> server. */
export type ServerCommand =
  | { cmd: 'memory' }
  | { cmd: 'prepare-burst'; perClient: number }
  | { cmd: 'release-burst' }
  | { cmd: 'stamped'; count: number; gapMs: number }
  | { cmd: 'exit' };

/** Server -> orchestrator. */
export type ServerEvent =
  | { type: 'ready'; url: string; gatewayPrincipal: string }
  | { type: 'memory'; clients: number; usage: NodeJS.MemoryUsage }
  | { type: 'burst-prepared'; total: number };

/** Orchestrator -> clients. */
export type ClientsCommand =
  | { cmd: 'open'; count: number }
  | { cmd: 'count'; total: number }
  | { cmd: 'latency'; total: number }
  | { cmd: 'memory' }
  | { cmd: 'exit' };

/** Clients -> orchestrator. */
export type ClientsEvent =
  | { type: 'ready' }
  | { type: 'opened'; count: number; ms: number }
  | { type: 'counting' }
  | { type: 'counted'; total: number; ms: number }
  | { type: 'latencies'; samplesUs: number[] }
  | { type: 'memory'; usage: NodeJS.MemoryUsage };
