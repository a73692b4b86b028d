/**
 * A canister whose `ws_get_messages` reply exceeds the IC's 3 MiB query reply limit (one not built on
 * ic-ws-canister, which refuses such a reply budget): the devnet (metering on) rejects the reply with IC0504
 * and the replica's text, as a replica does, and the gateway's real poll path reports it as `POLL_FAILED`
 * naming both; a running gateway logs it as one `poll failed` line.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { CanisterWsOpenArgumentsIdl, ErrorCode } from 'ic-ws-protocol';
import { MAX_QUERY_REPLY_BYTES, buildAzleCanister, startDevnet, type Devnet } from 'ic-ws-devnet';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../src/gateway-error';
import { NodeEd25519Identity } from '../src/ic/node-ed25519-identity';
import { startGateway } from '../src/start-gateway';
import { signedRequestFrame } from '../src/testing/signed-request-frame';
import { TestClient } from '../src/testing/test-client';
import { devnetGatewayIc } from './support/devnet-gateway-ic';

const gatewayIdentity = NodeEd25519Identity.generate();
let devnet: Devnet;
let canisterId: Principal;

/** What the replica says of the reply (ic0.msg_reply_data_append past the query limit), and its code. */
function replicaRejection(): RegExp {
  return new RegExp(
    `ws_get_messages was rejected: Error from Canister ${canisterId.toText()}: Canister violated contract: ` +
      `ic0\\.msg_reply_data_append: application payload size \\(\\d+\\) cannot be larger than ${MAX_QUERY_REPLY_BYTES}\\. \\(IC0504\\)`,
  );
}

beforeAll(async () => {
  const built = await buildAzleCanister({ dfxJsonDir: fileURLToPath(new URL('./canisters/big-reply', import.meta.url)), name: 'big_reply' });
  devnet = await startDevnet({ metering: true });
  canisterId = await devnet.install({ wasm: new Uint8Array(await readFile(built.wasmPath)) });
}, 180_000);

afterAll(() => devnet?.close());

describe('a ws_get_messages reply over the IC query reply limit', () => {
  it('is rejected by the IC with IC0504, and the poll path reports POLL_FAILED with the replica text, not transient', async () => {
    const ic = await devnetGatewayIc(devnet.url, gatewayIdentity);
    const error = await ic.getMessages(canisterId, 0n).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    const pollError = error as GatewayError;
    expect(pollError.code).toBe(ErrorCode.PollFailed);
    // Whole message: the replica's reason, then its error code; nothing else, on one line.
    expect(pollError.message).toMatch(new RegExp(`^${replicaRejection().source}$`));
    // A canister fault, not an IC outage: the poller backs off instead of holding sessions back.
    expect(pollError.transient).toBe(false);
  });

  it('is logged by a running gateway as one clear "poll failed" line when a session opens to the canister', async () => {
    const lines: string[] = [];
    const gateway = await startGateway({
      listen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      icUrl: devnet.url,
      identity: gatewayIdentity,
      logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) }),
    });
    try {
      const client = await TestClient.connect(gateway.url);
      await client.nextFrame();
      const user = NodeEd25519Identity.generate();
      const arg = new Uint8Array(IDL.encode([CanisterWsOpenArgumentsIdl], [{ client_nonce: 1n, gateway_principal: gatewayIdentity.getPrincipal() }]));
      // The session's ws_open starts the canister's poller, whose first poll gets the over-limit reply.
      client.send(await signedRequestFrame(user, { canisterId, methodName: 'ws_open', arg }));
      await expect.poll(() => lines.filter((line) => line.includes('"poll failed"')).length, { timeout: 15_000 }).toBeGreaterThan(0);
      const line = lines.find((l) => l.includes('"poll failed"'))!;
      expect(line.trimEnd().split('\n')).toHaveLength(1);
      const entry = JSON.parse(line) as { level: number; msg: string; canister: string; code: string; err: string };
      expect(entry).toMatchObject({ level: 40, msg: 'poll failed', canister: canisterId.toText(), code: ErrorCode.PollFailed });
      expect(entry.err).toMatch(replicaRejection());
      expect(entry.err).not.toContain('\n');
      client.ws.close();
    } finally {
      await gateway.close();
    }
  }, 30_000);
});
