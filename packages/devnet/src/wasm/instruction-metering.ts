/**
 * The metering part of canister instrumentation, as the replica injects it (dfinity/ic
 * `rs/embedders/src/wasm_utils/instrumentation.rs`, `inject_metering` and `export_additional_symbols`): an
 * exported mutable i64 counter the host sets to the execution's instruction limit; at each charge point of
 * a `MeteringPlan`, `counter -= cost`, followed at re-entrant blocks (function entries, loop bodies) by
 * `if counter < 0: out_of_instructions()`; before bulk memory instructions, a call to `charge_size`, which
 * subtracts the size operand (saturating) and checks the same way.
 *
 * The replica imports its out-of-instructions handler; adding an import would shift every function index,
 * so here it is an appended function that raises an exported flag and executes `unreachable`. The host tells
 * that trap from the canister's own by the flag. Nothing added is itself metered, as in the replica.
 *
 * Added: two types (`[] -> []`, `[i64] -> [i64]`), two functions, two globals (the counter and the flag),
 * two exports.
 */
import { ChargeKind } from './metering-plan';
import { encodeName, leb } from './wasm-reader';
import type { Writer } from './wasm-writer';

/** Export name of the instruction counter (i64): set to the limit before an execution, read after. */
export const INSTRUCTION_COUNTER_EXPORT = '__ic_ws_instruction_counter';
/** Export name of the i32 global set to 1 when the counter ran out. */
export const OUT_OF_INSTRUCTIONS_EXPORT = '__ic_ws_out_of_instructions';

/** Where the added types, functions and globals sit in the module's index spaces. */
export interface MeteringIndices {
  /** First of the two added types. */
  readonly typeBase: number;
  /** Index of `out_of_instructions`; `charge_size` follows. */
  readonly outOfInstructions: number;
  /** Index of the counter global; the flag global follows. */
  readonly counter: number;
}

const I32 = 0x7f;
const I64 = 0x7e;

/** Emits the metering code of one module. */
export class InstructionMetering {
  /** `[] -> []` and `[i64] -> [i64]`. */
  static readonly TYPES = [
    [0x60, 0, 0],
    [0x60, 1, I64, 1, I64],
  ];
  /** The counter (mutable i64 = 0) and the flag (mutable i32 = 0). */
  static readonly GLOBALS = [[I64, 0x01, 0x42, 0, 0x0b], [I32, 0x01, 0x41, 0, 0x0b]];

  private readonly counter: number[];
  private readonly outOfInstructions: number[];
  private readonly chargeSize: number[];

  constructor(private readonly indices: MeteringIndices) {
    this.counter = leb(indices.counter);
    this.outOfInstructions = leb(indices.outOfInstructions);
    this.chargeSize = leb(indices.outOfInstructions + 1);
  }

  /** Writes the code of one charge point of a `MeteringPlan`. */
  emit(out: Writer, kind: ChargeKind, cost: number): void {
    if (kind === ChargeKind.Size) {
      // i64.extend_i32_u; call charge_size; i32.wrap_i64 (charge_size returns its argument)
      out.byte(0xad);
      out.byte(0x10);
      out.bytes(this.chargeSize);
      out.byte(0xa7);
      return;
    }
    // global.get counter; i64.const cost; i64.sub; global.set counter
    out.byte(0x23);
    out.bytes(this.counter);
    out.byte(0x42);
    out.s64(cost);
    out.byte(0x7d);
    out.byte(0x24);
    out.bytes(this.counter);
    if (kind === ChargeKind.ReentrantBlock) {
      // global.get counter; i64.const 0; i64.lt_s; if; call out_of_instructions; end
      out.byte(0x23);
      out.bytes(this.counter);
      out.bytes([0x42, 0, 0x53, 0x04, 0x40, 0x10]);
      out.bytes(this.outOfInstructions);
      out.byte(0x0b);
    }
  }

  /** Type indices of the added functions, in index order. */
  functionTypes(): number[] {
    return [this.indices.typeBase, this.indices.typeBase + 1];
  }

  /** Bodies of `out_of_instructions` and `charge_size`, each with its size prefix. */
  functionBodies(): number[] {
    const flag = leb(this.indices.counter + 1);
    const outOfInstructions = [0x00, 0x41, 1, 0x24, ...flag, 0x00, 0x0b]; // flag = 1; unreachable
    const counter = this.counter;
    const chargeSize = [
      0x01, 1, I64, // local 1: the new counter
      0x23, ...counter, 0x20, 0, 0x7d, 0x22, 1, // counter - size, kept in local 1
      0x23, ...counter, 0x55, // > the old counter: it wrapped around
      0x04, I64, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f, // then i64::MIN
      0x05, 0x20, 1, 0x0b, // else the new counter
      0x24, ...counter,
      0x23, ...counter, 0x42, 0, 0x53, 0x04, 0x40, 0x10, ...this.outOfInstructions, 0x0b, // counter < 0: out
      0x20, 0, // the size, unchanged
      0x0b,
    ];
    return [outOfInstructions, chargeSize].flatMap((body) => [...leb(body.length), ...body]);
  }

  /** The added export entries. */
  exports(): number[][] {
    return [
      [...encodeName(INSTRUCTION_COUNTER_EXPORT), 3, ...leb(this.indices.counter)],
      [...encodeName(OUT_OF_INSTRUCTIONS_EXPORT), 3, ...leb(this.indices.counter + 1)],
    ];
  }
}
