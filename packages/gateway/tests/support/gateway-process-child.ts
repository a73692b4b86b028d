/**
 * Child-process entry of {@link startGatewayProcess}: `startGateway` in a process of its own (run with
 * `--expose-gc`), so the parent can measure the gateway's memory alone and settle it with a full
 * collection before a baseline. With `scripted`, the IC is a `ScriptedIc` the parent fills over IPC;
 * otherwise the gateway talks HTTP to `gateway.icUrl` like the CLI.
 */
import { Principal } from '@dfinity/principal';
import { pino } from 'pino';
import { NodeEd25519Identity } from '../../src/ic/node-ed25519-identity';
import type { GatewayOptions } from '../../src/options/gateway-options';
import { startGateway } from '../../src/start-gateway';
import { ScriptedIc } from '../../src/testing/scripted-ic';

/** What the parent asks for. */
export type ChildRequest =
  | { type: 'enqueue'; canisterId: string; clientPrincipal: string; clientNonce: string; size: number; count: number }
  | { type: 'gc' }
  | { type: 'close' };

const { gateway: gatewayOptions, scripted } = JSON.parse(process.argv[2]!) as { gateway: GatewayOptions; scripted?: { maxPerPoll: number } };
const identity = NodeEd25519Identity.generate();
const ic = scripted ? new ScriptedIc(() => identity.getPrincipal(), scripted.maxPerPoll) : undefined;
const gateway = await startGateway({
  listen: '127.0.0.1:0',
  adminListen: '127.0.0.1:0',
  identity,
  logger: pino({ level: 'silent' }),
  ...(ic ? { ic } : {}),
  ...gatewayOptions,
});
const collect = (globalThis as { gc?: () => void }).gc;

process.on('message', (request: ChildRequest) => {
  switch (request.type) {
    case 'close':
      void gateway.close().then(() => process.exit(0));
      return;
    case 'gc':
      collect?.();
      const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
      process.send!({ type: 'gc', rss, live: heapUsed + arrayBuffers });
      return;
    case 'enqueue': {
      const content = new Uint8Array(request.size).fill(0x5a);
      const clientKey = { client_principal: Principal.fromText(request.clientPrincipal), client_nonce: BigInt(request.clientNonce) };
      for (let i = 0; i < request.count; i++) ic!.enqueue(Principal.fromText(request.canisterId), clientKey, content);
      process.send!({ type: 'enqueue' });
      return;
    }
  }
});
process.send!({ type: 'ready', url: gateway.url, adminUrl: gateway.adminUrl, principal: gateway.principal.toText() });
