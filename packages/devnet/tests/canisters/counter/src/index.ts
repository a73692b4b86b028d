/**
 * The devnet's test canister: a certified counter that exercises every host feature the execution engine
 * must provide (certified data, data certificates, timers, stable memory, traps, management canister calls,
 * upgrade hooks, inspect_message and the caller).
 */
import {
  call,
  canisterSelf,
  certifiedDataSet,
  dataCertificate,
  IDL,
  init,
  inspectMessage,
  msgCaller,
  postUpgrade,
  preUpgrade,
  Principal,
  query,
  setTimer,
  StableBTreeMap,
  trap,
  update,
} from 'azle';

const CertifiedValue = IDL.Record({ value: IDL.Nat64, certificate: IDL.Opt(IDL.Vec(IDL.Nat8)) });

/** Big-endian 8-byte encoding of the counter: what the canister certifies. */
function encodeValue(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value);
  return bytes;
}

export default class {
  value = 0n;
  timerFired = 0n;
  label = '';
  /** Heap ballast kept alive by `growHeap`, so benchmarks can measure executions over a bigger heap. */
  ballast = new Uint8Array(0);
  /** Survives upgrades: holds user entries and the upgrade hook records ("hook:<name>" keys). */
  store = new StableBTreeMap<string, string>(0);

  @init([IDL.Opt(IDL.Text)])
  init(label: [] | [string]): void {
    this.label = label[0] ?? '';
    this.certify();
    this.armTimer();
  }

  @preUpgrade
  preUpgrade(): void {
    this.store.insert('hook:preUpgrade', String(Number(this.store.get('hook:preUpgrade') ?? '0') + 1));
    this.store.insert('saved:value', this.value.toString());
  }

  @postUpgrade([IDL.Opt(IDL.Text)])
  postUpgrade(label: [] | [string]): void {
    this.label = label[0] ?? '';
    this.store.insert('hook:postUpgrade', String(Number(this.store.get('hook:postUpgrade') ?? '0') + 1));
    this.value = BigInt(this.store.get('saved:value') ?? '0');
    this.certify();
    this.armTimer();
  }

  @inspectMessage
  inspect(methodName: string): boolean {
    return methodName !== 'forbidden';
  }

  @update([], IDL.Nat64)
  increment(): bigint {
    this.value += 1n;
    this.certify();
    return this.value;
  }

  @query([], CertifiedValue)
  getCertified(): { value: bigint; certificate: [] | [Uint8Array] } {
    const certificate = dataCertificate();
    return { value: this.value, certificate: certificate === undefined ? [] : [certificate] };
  }

  @query([], IDL.Nat64)
  get(): bigint {
    return this.value;
  }

  @query([], IDL.Nat64)
  getTimerFired(): bigint {
    return this.timerFired;
  }

  @query([], IDL.Text)
  getLabel(): string {
    return this.label;
  }

  @update([IDL.Nat32])
  armTimerIn(seconds: number): void {
    setTimer(seconds, () => {
      this.timerFired += 1n;
    });
  }

  @update([IDL.Text, IDL.Text])
  put(key: string, value: string): void {
    this.store.insert(key, value);
  }

  @query([IDL.Text], IDL.Opt(IDL.Text))
  lookup(key: string): [] | [string] {
    const value = this.store.get(key);
    return value === undefined ? [] : [value];
  }

  /** Mutates the heap, stable memory, certified data and a timer, then traps: all of it must roll back. */
  @update([], IDL.Nat64)
  incrementThenTrap(): bigint {
    this.value += 1000n;
    this.certify();
    this.store.insert('trap:was-here', 'yes');
    setTimer(0, () => {
      this.timerFired += 1000n;
    });
    trap('incrementThenTrap: deliberate trap');
  }

  @update([], IDL.Vec(IDL.Nat8))
  async randomBytes(): Promise<Uint8Array> {
    return await call<undefined, Uint8Array>('aaaaa-aa', 'raw_rand', { returnIdlType: IDL.Vec(IDL.Nat8) });
  }

  /** Calls a management canister method the devnet does not implement: the reject must surface as a trap. */
  @update([], IDL.Text)
  async callUnsupported(): Promise<string> {
    try {
      await call('aaaaa-aa', 'bitcoin_get_balance', { raw: true });
      return 'replied';
    } catch (error) {
      return `rejected: ${JSON.stringify(error)}`;
    }
  }

  /**
   * Creates a canister through the management canister's `create_canister` (a canister may call it, a user
   * may not) with this canister and `extra` as controllers; answers its id, or the reject as text.
   */
  @update([IDL.Principal], IDL.Text)
  async createChild(extra: Principal): Promise<string> {
    const Settings = IDL.Record({ controllers: IDL.Opt(IDL.Vec(IDL.Principal)) });
    try {
      const created = await call<[{ settings: [{ controllers: [Principal[]] }]; sender_canister_version: [] }], { canister_id: Principal }>(
        'aaaaa-aa',
        'create_canister',
        {
          paramIdlTypes: [IDL.Record({ settings: IDL.Opt(Settings), sender_canister_version: IDL.Opt(IDL.Nat64) })],
          returnIdlType: IDL.Record({ canister_id: IDL.Principal }),
          args: [{ settings: [{ controllers: [[canisterSelf(), extra]] }], sender_canister_version: [] }],
          cycles: 1_000_000_000_000n,
        },
      );
      return created.canister_id.toText();
    } catch (error) {
      return `rejected: ${JSON.stringify(error)}`;
    }
  }

  /** Calls a nat64-returning method on another canister; reports the reply or the reject as text. */
  @update([IDL.Principal, IDL.Text], IDL.Text)
  async relay(target: Principal, method: string): Promise<string> {
    try {
      const value = await call<undefined, bigint>(target, method, { returnIdlType: IDL.Nat64 });
      return `replied:${value}`;
    } catch (error) {
      return `rejected:${JSON.stringify(error)}`;
    }
  }

  /** Replaces the ballast by `bytes` bytes of non-zero data; returns the ballast size. */
  @update([IDL.Nat32], IDL.Nat32)
  growHeap(bytes: number): number {
    this.ballast = new Uint8Array(bytes);
    this.ballast.fill(0xa5);
    return this.ballast.length;
  }

  @update([], IDL.Text)
  whoami(): string {
    return msgCaller().toText();
  }

  @update([])
  forbidden(): void {
    this.value = 999_999n;
  }

  private certify(): void {
    certifiedDataSet(encodeValue(this.value));
  }

  private armTimer(): void {
    setTimer(0, () => {
      this.timerFired += 1n;
    });
  }
}
