/**
 * Where the replica's metering charges a function body, and how much: the algorithm of `injections` in
 * dfinity/ic `rs/embedders/src/wasm_utils/instrumentation.rs`, over byte offsets instead of operator indices.
 * The body starts a re-entrant block costing 1 plus its instructions; a `loop` starts another re-entrant
 * block, an `if` a plain one, and `else`, `end`, branches, `return`, `unreachable` and tail calls end the
 * current one. Each block's whole cost (its closing instruction included) is charged where it starts;
 * re-entrant blocks also check for exhaustion there. Bulk memory instructions additionally charge their size
 * operand just before they run. Plain blocks costing nothing are not charged at all.
 */
import { BLOCK_EFFECTS, BlockEffect, INSTRUCTION_COSTS } from './instruction-costs';

// Module-level copies: an imported binding can compile to a property read on every use, in this hot path.
const COSTS = INSTRUCTION_COSTS;
const EFFECTS = BLOCK_EFFECTS;

/** What is injected at a charge point. */
export const enum ChargeKind {
  /** Subtract the block's cost. */
  Block = 0,
  /** Subtract the block's cost, then trap when the counter went negative. */
  ReentrantBlock = 1,
  /** Subtract the i32 on top of the stack (a bulk instruction's size), leaving it in place. */
  Size = 2,
}

/** The charge points of one body, in ascending offset order. */
export class MeteringPlan {
  /** Byte offset in the module before which each charge is injected. */
  positions = new Int32Array(64);
  kinds = new Uint8Array(64);
  /** Static cost of `Block` and `ReentrantBlock` charges. */
  costs = new Float64Array(64);
  count = 0;

  private blockPosition = 0;
  private blockKind = ChargeKind.ReentrantBlock;
  private blockCost = 0;

  /** Starts a body whose first instruction is at `firstInstruction`. */
  begin(firstInstruction: number): void {
    this.count = 0;
    this.blockPosition = firstInstruction;
    this.blockKind = ChargeKind.ReentrantBlock;
    // Even an empty function costs something.
    this.blockCost = 1;
  }

  /** Accounts for the instruction `op` at `[start, end)`; call for each instruction in order. */
  visit(op: number, start: number, end: number): void {
    this.blockCost += COSTS[op]!;
    switch (EFFECTS[op] as BlockEffect) {
      case BlockEffect.None:
        return;
      case BlockEffect.StartsReentrant:
        this.closeBlock(end, ChargeKind.ReentrantBlock);
        return;
      case BlockEffect.StartsBlock:
      case BlockEffect.EndsBlock:
        this.closeBlock(end, ChargeKind.Block);
        return;
      case BlockEffect.ChargesSize:
        this.push(start, ChargeKind.Size, 0);
        return;
    }
  }

  /** Records the current block and opens the next one at `next`. */
  private closeBlock(next: number, nextKind: ChargeKind): void {
    if (this.blockKind === ChargeKind.ReentrantBlock || this.blockCost > 0) {
      this.insertBlockCharge(this.blockPosition, this.blockKind, this.blockCost);
    }
    this.blockPosition = next;
    this.blockKind = nextKind;
    this.blockCost = 0;
  }

  /**
   * A block is recorded when it closes, after the size charges inside it: insert it before those. The
   * replica sorts its points stably by position, so a size charge recorded at the block's own first
   * instruction stays ahead of the block's charge; so does it here.
   */
  private insertBlockCharge(position: number, kind: ChargeKind, cost: number): void {
    this.push(position, kind, cost);
    const { positions, kinds, costs } = this;
    let i = this.count - 1;
    while (i > 0 && positions[i - 1]! > position) {
      positions[i] = positions[i - 1]!;
      kinds[i] = kinds[i - 1]!;
      costs[i] = costs[i - 1]!;
      i--;
    }
    positions[i] = position;
    kinds[i] = kind;
    costs[i] = cost;
  }

  private push(position: number, kind: ChargeKind, cost: number): void {
    if (this.count === this.positions.length) this.grow();
    this.positions[this.count] = position;
    this.kinds[this.count] = kind;
    this.costs[this.count] = cost;
    this.count++;
  }

  private grow(): void {
    const size = this.positions.length * 2;
    const positions = new Int32Array(size);
    positions.set(this.positions);
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds);
    const costs = new Float64Array(size);
    costs.set(this.costs);
    Object.assign(this, { positions, kinds, costs });
  }
}
