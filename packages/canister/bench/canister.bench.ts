/**
 * Cost of `send` and of a 50-message `ws_get_messages` as the queue grows, in the core (Node, fake host) and
 * in the real azle canister on a devnet (direct `devnet.update` / `devnet.query`, no HTTP). Both must stay
 * flat (O(log n)): the 10 000 figure is checked to be within 3x of the smallest. Then what the ws methods
 * cost on a replica, in instructions and cycles, as the devnet's metering counts them (`message-costs.ts`).
 *
 *   pnpm bench   (tsx bench/canister.bench.ts)
 *
 * One queue per runtime grows through 10, 50, 1 000 and 10 000 messages; `send` is measured at 10, 1 000
 * and 10 000, the poll (from the middle of the queue) at 50, 1 000 and 10 000 (a 50-message poll needs 50
 * queued). Each `send` sample adds a message, so the queue grows a little during its measurement. Figures
 * are wall-clock and this machine is shared: compare the ratios, taken in one run.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { CanisterWsGetMessagesArgumentsIdl, CanisterWsOpenArgumentsIdl, type ClientKey } from 'ic-ws-protocol';
import { startDevnet } from 'ic-ws-devnet';
import { percentiles, report } from '../../../scripts/bench-kit';
import { createWsCanister } from '../src/ws-canister';
import { FakeCanisterHost } from '../src/testing/fake-canister-host';
import { AppMessageIdl, TargetIdl } from '../tests/canisters/ws-test/src/ws-test-idl';
import { buildWsTestCanister, installWsTest } from '../tests/support/ws-test-canister';
import { measureMessageCosts } from './message-costs';

const SEND_SIZES = [10, 1_000, 10_000];
const POLL_SIZES = [50, 1_000, 10_000];
const POLL = 50;
const GATEWAY = Principal.fromUint8Array(Uint8Array.of(0x22, 1));
const CLIENT = Principal.fromUint8Array(Uint8Array.of(0x11, 1));
const MESSAGE = { text: 'a benchmark message of some sixty bytes, like a chat line', n: 1 };

type Row = {
  where: 'core' | 'devnet';
  op: string;
  queued: number;
  meanUs: number;
  medianUs: number;
  p99Us: number;
  samples: number;
};

/** Times `fn` `samples` times (after `warmup` untimed runs); sync or async. */
async function time(fn: () => unknown, samples: number, warmup: number): Promise<Omit<Row, 'where' | 'op' | 'queued'>> {
  for (let i = 0; i < warmup; i++) await fn();
  const costs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await fn();
    costs.push((performance.now() - t0) * 1000);
  }
  return { meanUs: costs.reduce((a, b) => a + b, 0) / costs.length, ...percentiles(costs), samples };
}

function round(row: Row): Row {
  return { ...row, meanUs: Math.round(row.meanUs), medianUs: Math.round(row.medianUs), p99Us: Math.round(row.p99Us) };
}

const SIZES = [...new Set([...SEND_SIZES, ...POLL_SIZES])].sort((a, b) => a - b);

/** One queue grown step by step through SIZES; at each size, the operations measured there. */
async function benchAt(
  where: Row['where'],
  rows: Row[],
  fill: (count: number) => Promise<void>,
  send: () => unknown,
  poll: (nonce: bigint) => unknown,
  samples: number,
): Promise<void> {
  let queued = 1; // the OpenMessage
  for (const size of SIZES) {
    await fill(size - queued);
    queued = size;
    if (SEND_SIZES.includes(size)) {
      rows.push({ where, op: 'send', queued, ...(await time(send, samples, Math.ceil(samples / 10))) });
      queued += samples + Math.ceil(samples / 10);
    }
    if (POLL_SIZES.includes(size)) {
      // From the middle of the queue: the reply's witness then has two real boundary paths.
      const from = BigInt(Math.max(0, queued - POLL) >> 1);
      rows.push({ where, op: `poll ${POLL}`, queued, ...(await time(() => poll(from), samples, Math.ceil(samples / 10))) });
    }
  }
}

async function benchCore(rows: Row[]): Promise<void> {
  const host = new FakeCanisterHost();
  const ws = createWsCanister(host, { appMessageIdl: AppMessageIdl });
  ws.start();
  host.currentCaller = CLIENT;
  ws.wsOpen({ client_nonce: 0n, gateway_principal: GATEWAY });
  const key: ClientKey = { client_principal: CLIENT, client_nonce: 0n };
  await benchAt(
    'core',
    rows,
    async (count) => ws.batch(() => {
      for (let i = 0; i < count; i++) ws.send(key, MESSAGE);
    }),
    () => ws.send(key, MESSAGE),
    (nonce) => host.query(() => ws.wsGetMessages({ nonce }, GATEWAY)),
    300,
  );
}

async function benchDevnet(rows: Row[]): Promise<void> {
  const { wasm } = await buildWsTestCanister();
  const devnet = await startDevnet({ time: 'manual' });
  try {
    const canisterId = await installWsTest(devnet, wasm);
    const call = async (kind: 'update' | 'query', methodName: string, types: IDL.Type[], args: unknown[], caller: Principal) => {
      const outcome = await devnet[kind]({ canisterId, methodName, arg: new Uint8Array(IDL.encode(types, args)), caller });
      if (outcome.status !== 'replied') throw new Error(`${methodName}: ${outcome.rejectMessage}`);
      return outcome.reply;
    };
    await call('update', 'ws_open', [CanisterWsOpenArgumentsIdl], [{ client_nonce: 0n, gateway_principal: GATEWAY }], CLIENT);
    const target = { Client: { client_principal: CLIENT, client_nonce: 0n } };
    await benchAt(
      'devnet',
      rows,
      async (count) => {
        for (let left = count; left > 0; left -= 1_000) {
          await call('update', 'send_many', [TargetIdl, IDL.Nat32, IDL.Nat32], [target, Math.min(1_000, left), MESSAGE.text.length], CLIENT);
        }
      },
      () => call('update', 'send', [TargetIdl, AppMessageIdl], [target, MESSAGE], CLIENT),
      (nonce) => call('query', 'ws_get_messages', [CanisterWsGetMessagesArgumentsIdl], [{ nonce }], GATEWAY),
      20,
    );
  } finally {
    await devnet.close();
  }
}

const rows: Row[] = [];
await benchCore(rows);
await benchDevnet(rows);
const ratios: Record<string, number> = {};
for (const where of ['core', 'devnet'] as const) {
  for (const op of ['send', `poll ${POLL}`]) {
    const of = rows.filter((row) => row.where === where && row.op === op);
    const ratio = of.at(-1)!.medianUs / of[0]!.medianUs;
    ratios[`${where} ${op}: ${of.at(-1)!.queued} vs ${of[0]!.queued}`] = Math.round(ratio * 100) / 100;
  }
}
report('canister', rows.map(round), { ratios, limit: 3 });
console.table(ratios);
const costs = await measureMessageCosts();
report(
  'canister-instructions',
  costs.map((cost) => ({ ...cost, instructions: cost.instructions.toString(), cycles: cost.cycles.toString() })),
);
const over = Object.entries(ratios).filter(([, ratio]) => ratio > 3);
if (over.length > 0) {
  console.error(`over the 3x limit: ${over.map(([name, ratio]) => `${name} = ${ratio}`).join(', ')}`);
  process.exitCode = 1;
}
