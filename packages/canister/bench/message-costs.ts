/**
 * What the ws methods of the real Azle canister (tests/canisters/ws-test) cost on a replica, as the devnet's
 * metering counts them: instructions and cycles (13-node subnet: the execution, plus ingress induction for
 * updates) of `ws_open`, `ws_message` (an app message, which the test canister echoes back; without and with
 * a message id, i.e. from a client that did or did not ask for receipts: ic-ws-client does) and `ws_get_messages` returning 1 and 50 messages, each also as a multiple of an empty update (the `noop` of
 * a minimal Azle canister, bench/minimal). Direct `devnet.update`/`devnet.query` calls; instruction counts do
 * not depend on the machine, so one sample each, taken a few times and reported as their median.
 */
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import {
  CLIENT_OUTBOX_ID_BYTES,
  CanisterWsCloseArgumentsIdl,
  CanisterWsGetMessagesArgumentsIdl,
  CanisterWsMessageArgumentsIdl,
  CanisterWsOpenArgumentsIdl,
  decodeWsGetMessagesResult,
  type CanisterWsMessageArguments,
  type ClientKey,
} from 'ic-ws-protocol';
import { buildAzleCanister, startDevnet, type CallOutcome, type Devnet } from 'ic-ws-devnet';
import { AppMessageIdl, TargetIdl } from '../tests/canisters/ws-test/src/ws-test-idl';
import { buildWsTestCanister, installWsTest } from '../tests/support/ws-test-canister';

const GATEWAY = Principal.fromUint8Array(Uint8Array.of(0x22, 2));
const MESSAGE = { text: 'a benchmark message of some sixty bytes, like a chat line', n: 1 };
const SAMPLES = 5;

/** One operation's cost. */
export interface MessageCost {
  operation: string;
  instructions: bigint;
  cycles: bigint;
  /** Instructions / the empty update's. */
  instructionsRatio: number;
  /** Cycles / the empty update's. */
  cyclesRatio: number;
}

interface Sample {
  instructions: bigint;
  cycles: bigint;
}

function costOf(operation: string, outcome: CallOutcome): Sample {
  if (outcome.status !== 'replied') throw new Error(`${operation}: ${outcome.rejectMessage}`);
  if (outcome.cost === undefined || outcome.cost.executions.some((stats) => stats.instructions === undefined)) {
    throw new Error(`${operation}: the devnet reported no instruction count (metering off?)`);
  }
  return { instructions: outcome.cost.instructions, cycles: outcome.cost.cycles };
}

function median(samples: readonly Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => (a.instructions < b.instructions ? -1 : a.instructions > b.instructions ? 1 : 0));
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function emptyUpdate(devnet: Devnet): Promise<Sample> {
  const built = await buildAzleCanister({ dfxJsonDir: fileURLToPath(new URL('./minimal', import.meta.url)), name: 'minimal' });
  const canisterId = await devnet.install({ wasm: new Uint8Array(await readFile(built.wasmPath)) });
  await devnet.tick();
  const samples: Sample[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const outcome = await devnet.update({ canisterId, methodName: 'noop', arg: new Uint8Array(IDL.encode([], [])), caller: Principal.anonymous() });
    samples.push(costOf('noop', outcome));
  }
  return median(samples);
}

/** Measures the ws methods and the empty update on one devnet. */
export async function measureMessageCosts(): Promise<MessageCost[]> {
  const { wasm } = await buildWsTestCanister();
  const devnet = await startDevnet({ time: 'manual' });
  try {
    const empty = await emptyUpdate(devnet);
    const canisterId = await installWsTest(devnet, wasm);
    const call = async (kind: 'update' | 'query', operation: string, methodName: string, arg: Uint8Array, caller: Principal) =>
      costOf(operation, await devnet[kind]({ canisterId, methodName, arg, caller }));
    const clientPrincipal = (i: number) => Principal.fromUint8Array(Uint8Array.of(0x11, 2, i));

    // The gateway proves itself first, as ic-ws-gateway does before its first ws_open (a presence ws_close
    // naming itself), so the opens below are those of a proven gateway (no early ack queued).
    const presence = new Uint8Array(IDL.encode([CanisterWsCloseArgumentsIdl], [{ client_key: { client_principal: GATEWAY, client_nonce: 0n } }]));
    await call('update', 'presence ws_close', 'ws_close', presence, GATEWAY);

    const opens: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const arg = new Uint8Array(IDL.encode([CanisterWsOpenArgumentsIdl], [{ client_nonce: 0n, gateway_principal: GATEWAY }]));
      opens.push(await call('update', 'ws_open', 'ws_open', arg, clientPrincipal(i)));
    }

    // Clients 0 and 1 are open and send sequenced app messages: client 0 without a message id (a client that
    // did not ask for receipts, as the public ic-websocket-js), client 1 as ic-ws-client does, each message with
    // its outbox's message id, so the canister takes it in its duplicate ledger and queues a ReceiptMessage
    // besides the echo.
    const content = new Uint8Array(IDL.encode([AppMessageIdl], [MESSAGE]));
    const outbox = new Uint8Array(CLIENT_OUTBOX_ID_BYTES).fill(7);
    const sendMessages = async (key: ClientKey, withIds: boolean): Promise<Sample[]> => {
      const samples: Sample[] = [];
      for (let sequence = 1n; sequence <= BigInt(SAMPLES); sequence++) {
        const args: CanisterWsMessageArguments = {
          msg: { client_key: key, sequence_num: sequence, timestamp: 1_700_000_000_000_000_000n, is_service_message: false, content },
          message_id: withIds ? [{ outbox, index: sequence }] : [],
        };
        const arg = new Uint8Array(IDL.encode([CanisterWsMessageArgumentsIdl, IDL.Opt(AppMessageIdl)], [args, []]));
        samples.push(await call('update', 'ws_message', 'ws_message', arg, key.client_principal));
      }
      return samples;
    };
    const key: ClientKey = { client_principal: clientPrincipal(0), client_nonce: 0n };
    const messages = await sendMessages(key, false);
    const withIds = await sendMessages({ client_principal: clientPrincipal(1), client_nonce: 0n }, true);

    // Fill the gateway's queue (open messages, echoes, receipts, then these for client 0) well past one poll's worth.
    const target = { Client: key };
    await call('update', 'send_many', 'send_many', new Uint8Array(IDL.encode([TargetIdl, IDL.Nat32, IDL.Nat32], [target, 120, MESSAGE.text.length])), key.client_principal);
    const poll = (nonce: bigint) => new Uint8Array(IDL.encode([CanisterWsGetMessagesArgumentsIdl], [{ nonce }]));
    // The live end of the gateway's queue (next_nonce of a poll past it).
    const end = await devnet.query({ canisterId, methodName: 'ws_get_messages', arg: poll(2n ** 63n), caller: GATEWAY });
    if (end.status !== 'replied') throw new Error(`ws_get_messages: ${end.rejectMessage}`);
    const ended = decodeWsGetMessagesResult(end.reply);
    if (!('Ok' in ended) || ended.Ok.next_nonce[0] === undefined) throw new Error('ws_get_messages: no next_nonce');
    const queued = ended.Ok.next_nonce[0];
    const pollOne: Sample[] = [];
    const pollFifty: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      pollOne.push(await call('query', 'ws_get_messages (1 message)', 'ws_get_messages', poll(queued - 1n), GATEWAY));
      pollFifty.push(await call('query', 'ws_get_messages (50 messages)', 'ws_get_messages', poll(BigInt(10 + i)), GATEWAY));
    }

    const rows: [string, Sample][] = [
      ['empty update (minimal canister `noop`)', empty],
      ['ws_open', median(opens)],
      ['ws_message (app message, echoed back)', median(messages)],
      ['ws_message with a message id (echoed back, receipt queued)', median(withIds)],
      ['ws_get_messages returning 1 message', median(pollOne)],
      ['ws_get_messages returning 50 messages', median(pollFifty)],
    ];
    const ratio = (value: bigint, of: bigint) => Math.round((Number(value) / Number(of)) * 100) / 100;
    return rows.map(([operation, sample]) => ({
      operation,
      instructions: sample.instructions,
      cycles: sample.cycles,
      instructionsRatio: ratio(sample.instructions, empty.instructions),
      cyclesRatio: ratio(sample.cycles, empty.cycles),
    }));
  } finally {
    await devnet.close();
  }
}
