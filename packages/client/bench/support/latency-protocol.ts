/** IPC messages between end-to-end-latency.bench.ts and its client process (latency-client.ts). */

/** Orchestrator -> client. */
export type LatencyCommand =
  | {
      cmd: 'init';
      networkUrl: string;
      /** The devnet's root key, hex. */
      rootKeyHex: string;
      canisterId: string;
      gatewayUrl: string;
      /** The gateway's PKCS#8 PEM key: the poll probe queries `ws_get_messages` as the gateway does. */
      gatewayKeyPem: string;
    }
  /** Calls the canister's `broadcast` update with `text`; reports its round trip and when the message arrived. */
  | { cmd: 'broadcast'; text: string }
  /** One `ws_get_messages` query at the live end of the gateway's queue, as the gateway polls. */
  | { cmd: 'poll' }
  /** Sends `text` through the WebSocket and waits for the canister's echo. */
  | { cmd: 'echo'; text: string }
  | { cmd: 'exit' };

/** Client -> orchestrator. */
export type LatencyEvent =
  | { type: 'ready'; blsVerifier: string }
  /** `receivedNs`: `process.hrtime.bigint()` (the system's monotonic clock, shared by processes) at the message event. */
  | { type: 'broadcast'; updateMs: number; receivedNs: string }
  | { type: 'poll'; ms: number }
  | { type: 'echo'; ms: number }
  | { type: 'failed'; error: string };
