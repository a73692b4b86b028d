/**
 * Big messages on a canister whose reply budget is 256 KiB: batches are split across polls, every raw
 * reply stays under the budget, every message is verified. A message no reply could carry is refused, on a
 * canister with the smallest budget (64 KiB): an app call carrying a 256 KiB text argument runs past the
 * IC's 40 B instruction limit (the devnet meters as a replica does) before the library sees the message.
 */
import { IDL } from '@dfinity/candid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CanisterWsGetMessagesArgumentsIdl,
  CanisterWsGetMessagesResultIdl,
  ErrorCode,
  type CanisterWsGetMessagesResult,
} from 'ic-ws-protocol';
import { clientId, type VerifiedMessage } from './support/client-verifier';
import type { TestGateway } from './support/ws-actors';
import { startWsTestEnv, type WsTestEnv } from './support/ws-test-env';

const BUDGET = 256 * 1024;
/** The smallest reply budget the library accepts (`MIN_REPLY_BYTES`). */
const MIN_REPLY_BYTES = 64 * 1024;
let env: WsTestEnv;
let gateway: TestGateway;
const envOf = () => env;
const gatewayOf = () => gateway;

beforeAll(async () => {
  env = await startWsTestEnv({ max_reply_bytes: BUDGET });
  gateway = await env.gateway();
}, 180_000);

afterAll(async () => {
  await env?.close();
});

/** Polls with raw `devnet.query` calls (to measure each reply) until the end of the queue, verifying each. */
async function pollMeasured(
  { env, gateway }: { env: WsTestEnv; gateway: TestGateway } = { env: envOf(), gateway: gatewayOf() },
): Promise<{ messages: VerifiedMessage[]; replyBytes: number[]; counts: number[]; ends: boolean[] }> {
  const out = { messages: [] as VerifiedMessage[], replyBytes: [] as number[], counts: [] as number[], ends: [] as boolean[] };
  for (;;) {
    const outcome = await env.devnet.query({
      canisterId: env.canisterId,
      methodName: 'ws_get_messages',
      arg: new Uint8Array(IDL.encode([CanisterWsGetMessagesArgumentsIdl], [{ nonce: gateway.nextNonce }])),
      caller: gateway.principal,
    });
    if (outcome.status !== 'replied') throw new Error(`query rejected: ${outcome.rejectMessage}`);
    const [result] = IDL.decode([CanisterWsGetMessagesResultIdl], outcome.reply) as unknown as [CanisterWsGetMessagesResult];
    if (!('Ok' in result)) throw new Error(result.Err);
    const messages = await gateway.verifier.verifyBatch(result.Ok, gateway.nextNonce);
    if (messages.length > 0) gateway.nextNonce = messages.at(-1)!.nonce + 1n;
    out.messages.push(...messages);
    out.replyBytes.push(outcome.reply.length);
    out.counts.push(messages.length);
    out.ends.push(result.Ok.is_end_of_queue);
    if (result.Ok.is_end_of_queue) return out;
  }
}

describe('big messages', () => {
  it('splits ten 60 kB messages across polls, each reply under the byte budget, all verified in order', async () => {
    const client = await env.client();
    await client.open(gateway.principal);
    expect(await env.app.send_many({ Client: client.key }, 10, 60_000)).toEqual({ Ok: null });
    const { messages, replyBytes, ends } = await pollMeasured();
    expect(messages).toHaveLength(11);
    expect(messages.slice(1).map((m) => [(m.app as { text: string }).text.length, (m.app as { n: number }).n])).toEqual(
      Array.from({ length: 10 }, (_, n) => [60_000, n]),
    );
    expect(replyBytes.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...replyBytes)).toBeLessThanOrEqual(BUDGET);
    expect(ends).toEqual([...Array(replyBytes.length - 1).fill(false), true]);
    // Filled, not trickled: every reply but the last carries at least half the budget.
    expect(replyBytes.slice(0, -1).every((bytes) => bytes > BUDGET / 2)).toBe(true);
  });

  it('mixes big and small messages: small ones fill a poll up to the message limit', async () => {
    const client = await env.client();
    await client.open(gateway.principal);
    expect(await env.app.send_many({ Client: client.key }, 1, 200_000)).toEqual({ Ok: null });
    expect(await env.app.send_many({ Client: client.key }, 120, 20)).toEqual({ Ok: null });
    const { messages, replyBytes, counts } = await pollMeasured();
    const mine = messages.filter((m) => clientId(m.clientKey) === clientId(client.key));
    expect(mine).toHaveLength(122);
    expect(Math.max(...replyBytes)).toBeLessThanOrEqual(BUDGET);
    // The 200 kB message leaves room for small ones; the 50-message limit (the default) then splits the rest.
    expect(counts).toEqual([50, 50, 22]);
  });

  it('refuses a message no reply could carry with MESSAGE_TOO_LARGE, queueing nothing', async () => {
    const small = await startWsTestEnv({ max_reply_bytes: MIN_REPLY_BYTES });
    try {
      const parties = { env: small, gateway: await small.gateway() };
      const client = await small.client();
      await client.open(parties.gateway.principal);
      await pollMeasured(parties);
      const result = await small.app.send({ Client: client.key }, { text: 'x'.repeat(MIN_REPLY_BYTES), n: 0 });
      expect(result).toEqual({ Err: expect.stringMatching(new RegExp(`^${ErrorCode.MessageTooLarge}: `)) });
      expect((await pollMeasured(parties)).messages).toEqual([]);
      expect(await client.send({ text: 'still works', n: 1 })).toEqual({ Ok: null });
      expect((await pollMeasured(parties)).messages.map((m) => m.app)).toEqual([{ text: 'echo: still works', n: 1 }]);
    } finally {
      await small.close();
    }
  }, 120_000);
});
