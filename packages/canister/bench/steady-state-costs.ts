/**
 * What `ws_message` (with a message id: the echo and a receipt queued) and `broadcast` (one client) cost once
 * the queue is in its steady state: messages retained for the ack interval (61 s, as the client package's
 * ws-chat canister and its end-to-end latency bench run) and pruned as new ones come, so every call pays for
 * queueing, certifying and pruning as it does in a running dapp (message-costs.ts measures a fresh canister,
 * whose queue never reaches its retention). Manual devnet time: a `ws_message` and a `broadcast` every
 * 400 ms, the client answering acks with keep-alives; after 200 pairs (80 s, past the retention), the next
 * SAMPLES pairs are measured. Instructions as the devnet meters them (they do not depend on the machine).
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import {
  CLIENT_OUTBOX_ID_BYTES,
  CanisterWsCloseArgumentsIdl,
  CanisterWsMessageArgumentsIdl,
  CanisterWsOpenArgumentsIdl,
  encodeServiceMessageContent,
  type CanisterWsMessageArguments,
  type ClientKey,
} from 'ic-ws-protocol';
import { startDevnet, type CallOutcome } from 'ic-ws-devnet';
import { AppMessageIdl } from '../tests/canisters/ws-test/src/ws-test-idl';
import { buildWsTestCanister, installWsTest } from '../tests/support/ws-test-canister';

const GATEWAY = Principal.fromUint8Array(Uint8Array.of(0x22, 3));
const CLIENT = Principal.fromUint8Array(Uint8Array.of(0x11, 3, 1));
const MESSAGE = { text: 'a benchmark message of some sixty bytes, like a chat line', n: 1 };
const STEP_MS = 200;
const WARM_UP_PAIRS = 200;
const SAMPLES = 200;
const KEEP_ALIVE_EVERY = 20;

/** One operation's instructions over the measured calls, M. */
export interface SteadyStateCost {
  operation: string;
  medianM: number;
  meanM: number;
  minM: number;
  maxM: number;
}

function instructionsM(operation: string, outcome: CallOutcome): number {
  if (outcome.status !== 'replied') throw new Error(`${operation}: ${outcome.rejectMessage}`);
  if (outcome.cost === undefined) throw new Error(`${operation}: the devnet reported no instruction count (metering off?)`);
  return Number(outcome.cost.instructions) / 1e6;
}

function summary(operation: string, samples: readonly number[]): SteadyStateCost {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    operation,
    medianM: round(sorted[Math.floor(sorted.length / 2)]!),
    meanM: round(samples.reduce((sum, value) => sum + value, 0) / samples.length),
    minM: round(sorted[0]!),
    maxM: round(sorted.at(-1)!),
  };
}

/** Measures both operations in steady state on a fresh ws-test canister. */
export async function measureSteadyStateCosts(): Promise<SteadyStateCost[]> {
  const { wasm } = await buildWsTestCanister();
  const devnet = await startDevnet({ time: 'manual' });
  try {
    const canisterId = await installWsTest(devnet, wasm, { send_ack_interval_ms: 61_000, keep_alive_timeout_ms: 30_000 });
    const update = async (methodName: string, arg: Uint8Array, caller: Principal) =>
      instructionsM(methodName, await devnet.update({ canisterId, methodName, arg, caller }));
    const presence = { client_key: { client_principal: GATEWAY, client_nonce: 0n } };
    await update('ws_close', new Uint8Array(IDL.encode([CanisterWsCloseArgumentsIdl], [presence])), GATEWAY);
    await update('ws_open', new Uint8Array(IDL.encode([CanisterWsOpenArgumentsIdl], [{ client_nonce: 0n, gateway_principal: GATEWAY }])), CLIENT);

    const key: ClientKey = { client_principal: CLIENT, client_nonce: 0n };
    const content = new Uint8Array(IDL.encode([AppMessageIdl], [MESSAGE]));
    const keepAlive = encodeServiceMessageContent({ KeepAliveMessage: { last_incoming_sequence_num: 0n } });
    const outbox = new Uint8Array(CLIENT_OUTBOX_ID_BYTES).fill(7);
    let sequence = 1n;
    let index = 1n;
    const wsMessage = (isService: boolean) => {
      const args: CanisterWsMessageArguments = {
        msg: { client_key: key, sequence_num: sequence++, timestamp: 1n, is_service_message: isService, content: isService ? keepAlive : content },
        message_id: isService ? [] : [{ outbox, index: index++ }],
      };
      return update('ws_message', new Uint8Array(IDL.encode([CanisterWsMessageArgumentsIdl, IDL.Opt(AppMessageIdl)], [args, []])), CLIENT);
    };
    const broadcast = new Uint8Array(IDL.encode([AppMessageIdl], [MESSAGE]));
    const messages: number[] = [];
    const broadcasts: number[] = [];
    for (let pair = 0; pair < WARM_UP_PAIRS + SAMPLES; pair++) {
      devnet.advanceTime(STEP_MS);
      await devnet.tick();
      const message = await wsMessage(false);
      devnet.advanceTime(STEP_MS);
      await devnet.tick();
      const sent = await update('broadcast', broadcast, CLIENT);
      if (pair >= WARM_UP_PAIRS) {
        messages.push(message);
        broadcasts.push(sent);
      }
      if (pair % KEEP_ALIVE_EVERY === 0) await wsMessage(true);
    }
    return [
      summary('ws_message with a message id (echo + receipt queued), steady state', messages),
      summary('broadcast to one client, steady state', broadcasts),
    ];
  } finally {
    await devnet.close();
  }
}
