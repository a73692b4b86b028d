/**
 * The library now against the library at the baseline commit (support/baseline-canister.ts), in instructions
 * as the devnet meters them: each side is the ws-test canister, installed fresh for each queue size and
 * filled with the same messages, in the same devnet. Then, round by round (the side that goes first
 * alternates), each side answers the same calls: a 50-message `ws_get_messages` from a different place in
 * the queue each round, a 1-message one at the queue's end, and one `send`. Instruction counts do not
 * depend on the machine's load, so the rounds differ only in where the poll starts.
 */
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { CanisterWsGetMessagesArgumentsIdl, CanisterWsOpenArgumentsIdl } from 'ic-ws-protocol';
import type { CallOutcome, Devnet } from 'ic-ws-devnet';
import { AppMessageIdl, TargetIdl } from '../tests/canisters/ws-test/src/ws-test-idl';
import { installWsTest } from '../tests/support/ws-test-canister';

/** One side: a name (`baseline`, `current`, ...) and its wasm. */
export interface Side {
  name: string;
  wasm: Uint8Array;
}

/** Instructions of each measured call on one side, in one round. */
export interface RoundCost {
  queued: number;
  round: number;
  side: Side['name'];
  /** 50 messages from `pollFrom`. */
  poll50: number;
  pollFrom: number;
  /** The last message only. */
  poll1: number;
  /** One `send` of the benchmark message (an update of the test canister: decode, send, reply). */
  send: number;
  /** Per message, of the `send_many` calls that filled the queue (all in one batch per call). */
  fillPerMessage: number;
}

// Realistic principals: 29 bytes, like the Ed25519 self-authenticating ones of clients and gateways.
const principal = (tag: number): Principal => Principal.fromUint8Array(Uint8Array.from({ length: 29 }, (_, i) => (i === 28 ? 2 : tag + i)));
export const GATEWAY = principal(0x40);
export const CLIENT = principal(0x10);
export const MESSAGE = { text: 'a benchmark message of some sixty bytes, like a chat line', n: 1 };
export const POLL = 50;
// send_many calls stay well under the 40 B instruction limit of an update on either side.
const FILL_CHUNK = 200;

function instructionsOf(what: string, outcome: CallOutcome): number {
  if (outcome.status !== 'replied') throw new Error(`${what}: ${outcome.rejectMessage}`);
  if (outcome.cost === undefined) throw new Error(`${what}: the devnet reported no instruction count (metering off?)`);
  return Number(outcome.cost.instructions);
}

/** A side's canister, filled to `queued` messages (the OpenMessage included). */
class FilledCanister {
  private constructor(
    readonly side: Side,
    private readonly devnet: Devnet,
    private readonly canisterId: Principal,
    readonly queued: number,
    readonly fillPerMessage: number,
  ) {}

  static async create(devnet: Devnet, side: Side, queued: number): Promise<FilledCanister> {
    const canisterId = await installWsTest(devnet, side.wasm);
    const call = async (method: string, types: IDL.Type[], args: unknown[], caller: Principal) =>
      instructionsOf(`${side.name} ${method}`, await devnet.update({ canisterId, methodName: method, arg: encode(types, args), caller }));
    await call('ws_open', [CanisterWsOpenArgumentsIdl], [{ client_nonce: 0n, gateway_principal: GATEWAY }], CLIENT);
    let fillInstructions = 0;
    for (let left = queued - 1; left > 0; left -= FILL_CHUNK) {
      const count = Math.min(FILL_CHUNK, left);
      fillInstructions += await call('send_many', [TargetIdl, IDL.Nat32, IDL.Nat32], [target(), count, MESSAGE.text.length], CLIENT);
    }
    return new FilledCanister(side, devnet, canisterId, queued, queued > 1 ? fillInstructions / (queued - 1) : 0);
  }

  async poll(nonce: number): Promise<number> {
    const arg = encode([CanisterWsGetMessagesArgumentsIdl], [{ nonce: BigInt(nonce) }]);
    return instructionsOf(`${this.side.name} ws_get_messages`, await this.devnet.query({ canisterId: this.canisterId, methodName: 'ws_get_messages', arg, caller: GATEWAY }));
  }

  async send(): Promise<number> {
    const arg = encode([TargetIdl, AppMessageIdl], [target(), MESSAGE]);
    return instructionsOf(`${this.side.name} send`, await this.devnet.update({ canisterId: this.canisterId, methodName: 'send', arg, caller: CLIENT }));
  }
}

function encode(types: IDL.Type[], args: unknown[]): Uint8Array {
  return new Uint8Array(IDL.encode(types, args));
}

function target(): { Client: { client_principal: Principal; client_nonce: bigint } } {
  return { Client: { client_principal: CLIENT, client_nonce: 0n } };
}

/**
 * Measures every side at one queue size over `rounds` rounds. Each side gets its own canister, filled to
 * `queued`; the polls read only the filled part, so the one message `send` adds per round is never polled.
 */
export async function measureAtQueueSize(devnet: Devnet, sides: readonly Side[], queued: number, rounds: number): Promise<RoundCost[]> {
  const canisters: FilledCanister[] = [];
  for (const side of sides) canisters.push(await FilledCanister.create(devnet, side, queued));
  const costs: RoundCost[] = [];
  for (let round = 0; round < rounds; round++) {
    // Spread over the queue: from its start to its last full window of POLL messages.
    const pollFrom = Math.floor(((queued - POLL) * round) / Math.max(1, rounds - 1));
    const order = round % 2 === 0 ? canisters : [...canisters].reverse();
    for (const canister of order) {
      costs.push({
        queued,
        round,
        side: canister.side.name,
        poll50: await canister.poll(pollFrom),
        pollFrom,
        // The last message: the queue grew by one `send` per round before this one.
        poll1: await canister.poll(queued - 1 + round),
        send: await canister.send(),
        fillPerMessage: Math.round(canister.fillPerMessage),
      });
    }
  }
  return costs;
}
