/**
 * The host's side of instruction metering: sets a metered instance's counter to the execution's limit,
 * charges System API calls on it, and reads back what the execution used. Until `attach` (and for a module
 * that is not metered) every method is a no-op and `executed()` is undefined.
 */
import { CanisterTrap } from './canister-trap';
import { LogCharges, OS_PAGE_SIZE } from './system-api-costs';

/** Meters one canister instance's executions. */
export class InstructionMeter {
  private limit = 0n;
  private readonly dirtyStablePages = new Set<number>();
  /** Logging charges of the running execution. */
  log = new LogCharges();

  private counter: WebAssembly.Global | undefined;
  private outOfInstructions: WebAssembly.Global | undefined;

  /** Connects the meter to a metered instance's counter and out-of-instructions flag. */
  attach(counter: WebAssembly.Global, outOfInstructions: WebAssembly.Global): void {
    this.counter = counter;
    this.outOfInstructions = outOfInstructions;
  }

  /** Whether the instance counts instructions. */
  get metered(): boolean {
    return this.counter !== undefined;
  }

  /** Starts an execution that may run `limit` instructions. */
  begin(limit: bigint): void {
    this.limit = limit;
    this.dirtyStablePages.clear();
    this.log = new LogCharges();
    if (this.counter === undefined) return;
    this.counter.value = limit;
    this.outOfInstructions!.value = 0;
  }

  /**
   * Charges `instructions` for host work (a System API call).
   * @throws CanisterTrap `instruction-limit` when the execution runs out.
   */
  charge(instructions: number): void {
    if (this.counter === undefined || instructions === 0) return;
    const left = (this.counter.value as bigint) - BigInt(instructions);
    this.counter.value = left;
    if (left < 0n) throw CanisterTrap.instructionLimit(this.limit);
  }

  /** Charges the stable memory pages `[offset, offset + length)` touches that this execution had not written. */
  chargeStableWrite(offset: number, length: number, perPage: number): void {
    if (this.counter === undefined || length === 0) return;
    let fresh = 0;
    const last = Math.floor((offset + length - 1) / OS_PAGE_SIZE);
    for (let page = Math.floor(offset / OS_PAGE_SIZE); page <= last; page++) {
      if (!this.dirtyStablePages.has(page)) {
        this.dirtyStablePages.add(page);
        fresh++;
      }
    }
    this.charge(fresh * perPage);
  }

  /** Instructions executed so far by the running execution (undefined when not metered). */
  executed(): bigint | undefined {
    if (this.counter === undefined) return undefined;
    const left = this.counter.value as bigint;
    if (left <= 0n) return this.limit;
    return this.limit - left;
  }

  /** Whether the running execution ran out of instructions inside wasm (the trap that followed is the limit's). */
  ranOut(): boolean {
    return this.outOfInstructions !== undefined && this.outOfInstructions.value === 1;
  }

  /** The limit of the running execution. */
  get currentLimit(): bigint {
    return this.limit;
  }
}
