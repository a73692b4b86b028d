/**
 * Client process of the end-to-end latency benchmark: a real `IcWebSocket` (Node, the default WebAssembly BLS
 * verifier) connected through the gateway process to the ws-chat canister on the devnet, plus the agents that
 * measure an update and a query round trip from the same process, side by side. Driven over IPC.
 */
import { createPrivateKey } from 'node:crypto';
import { HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { CanisterWsGetMessagesArgumentsIdl } from 'ic-ws-protocol';
import { IcWebSocket } from '../../src';
import { ChatMessageIdl, type ChatMessage } from '../../tests/support/chat-message';
import type { LatencyCommand, LatencyEvent } from './latency-protocol';

const post = (event: LatencyEvent) => process.send!(event);

interface Session {
  ws: IcWebSocket<ChatMessage>;
  /** The `broadcast` update as a synchronous (v3) call; resolves once the IC answers that it replied. */
  broadcast(message: ChatMessage): Promise<void>;
  poll(): Promise<unknown>;
}

let session: Session | undefined;
/** Waiters for a message text, resolved by the message event with the time it fired. */
const waiting = new Map<string, (receivedNs: bigint, receivedMs: number) => void>();

function arrival(text: string): Promise<{ ns: bigint; ms: number }> {
  return new Promise((resolve) => waiting.set(text, (ns, ms) => resolve({ ns, ms })));
}

/** The raw 32-byte Ed25519 secret of a PKCS#8 PEM key (its last 32 DER bytes). */
function ed25519Secret(pem: string): Uint8Array {
  const der = createPrivateKey({ key: pem, format: 'pem' }).export({ type: 'pkcs8', format: 'der' });
  return new Uint8Array(der.subarray(der.length - 32));
}

async function init(command: Extract<LatencyCommand, { cmd: 'init' }>): Promise<void> {
  const rootKey = Uint8Array.from(Buffer.from(command.rootKeyHex, 'hex'));
  const ws = new IcWebSocket<ChatMessage>({
    gatewayUrl: command.gatewayUrl,
    canisterId: command.canisterId,
    identity: Ed25519KeyIdentity.generate(),
    networkUrl: command.networkUrl,
    rootKey,
    appMessageIdl: ChatMessageIdl,
    ackIntervalMs: 61_000,
  });
  ws.addEventListener('message', (event) => {
    const ns = process.hrtime.bigint();
    const ms = performance.now();
    const resolve = waiting.get(event.data.text);
    waiting.delete(event.data.text);
    resolve?.(ns, ms);
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('close', (event) => reject(new Error(`closed before opening: ${event.code} ${event.reason}`)));
  });
  // The update round trip is measured as the gateway relays a client's ws_message: one signed synchronous
  // call, done when the IC's answer arrives, its certificate not checked (an Actor would add agent-js's
  // @noble BLS check, tens of ms, and so loosen the echo budget).
  const appAgent = HttpAgent.createSync({ host: command.networkUrl, rootKey, identity: Ed25519KeyIdentity.generate() });
  // The gateway's poll, made the way the gateway makes it: signed by its key; its signature check (Node's
  // Ed25519, microseconds) is left out, so the round trip here is, if anything, shorter than the gateway's.
  const gatewayAgent = HttpAgent.createSync({
    host: command.networkUrl,
    rootKey,
    identity: Ed25519KeyIdentity.fromSecretKey(ed25519Secret(command.gatewayKeyPem)),
    verifyQuerySignatures: false,
  });
  const liveEnd = IDL.encode([CanisterWsGetMessagesArgumentsIdl], [{ nonce: 1n << 62n }]);
  session = {
    ws,
    broadcast: async (message) => {
      const { response } = await appAgent.call(command.canisterId, { methodName: 'broadcast', arg: IDL.encode([ChatMessageIdl], [message]), callSync: true });
      const status = (response.body as { status?: string } | null)?.status;
      if (response.status !== 200 || status !== 'replied') throw new Error(`broadcast: HTTP ${response.status}, status ${status ?? 'none'}`);
    },
    poll: () => gatewayAgent.query(command.canisterId, { methodName: 'ws_get_messages', arg: liveEnd }),
  };
  post({ type: 'ready', blsVerifier: ws.blsVerifier?.kind ?? 'not loaded' });
}

async function handle(command: LatencyCommand): Promise<void> {
  if (command.cmd === 'init') return init(command);
  if (command.cmd === 'exit') {
    session?.ws.close();
    process.exit(0);
  }
  if (session === undefined) throw new Error(`'${command.cmd}' before 'init'`);
  switch (command.cmd) {
    case 'broadcast': {
      const arrived = arrival(command.text);
      const started = performance.now();
      await session.broadcast({ text: command.text, count: 0, tags: [] });
      const updateMs = performance.now() - started;
      post({ type: 'broadcast', updateMs, receivedNs: (await arrived).ns.toString() });
      return;
    }
    case 'poll': {
      const started = performance.now();
      await session.poll();
      post({ type: 'poll', ms: performance.now() - started });
      return;
    }
    case 'echo': {
      const arrived = arrival(`echo:${command.text}`);
      const started = performance.now();
      session.ws.send({ text: command.text, count: 0, tags: [] });
      post({ type: 'echo', ms: (await arrived).ms - started });
      return;
    }
  }
}

process.on('message', (command: LatencyCommand) => {
  handle(command).catch((error: unknown) => post({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
