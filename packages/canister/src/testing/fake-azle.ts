import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import type { AzleApi, AzleMethodDecorator, AzleSerializable, AzleStableBTreeMap } from '../azle/azle-api';

/** The kind of a decorated method, as azle's decorators register it. */
export type FakeAzleMethodKind = 'init' | 'postUpgrade' | 'update' | 'query';

/** One method a canister class registered with the fake's decorators. */
export interface FakeAzleMethod {
  kind: FakeAzleMethodKind;
  name: string;
  paramIdlTypes: IDL.Type[];
  returnIdlType: IDL.Type | undefined;
  /** Declared with `{ manual: true }`: reads its argument with `msgArgData` and replies with `msgReply`. */
  manual: boolean;
  /**
   * Calls the method as azle would: the arguments go through Candid (encoded with the declared parameter
   * types, decoded again), and so does the result, so a type the method does not match fails here. A manual
   * method gets the encoded arguments from `msgArgData`, and the bytes it passes to `msgReply` are decoded.
   */
  call(...args: unknown[]): unknown;
}

/**
 * A stand-in for the `azle` module in Node, for testing the azle binding: records every call, keeps
 * `StableBTreeMap`s by memory id as byte maps ordered like azle's (by key bytes), and arms timers in whole
 * seconds like azle. Not exported from the package: test-only.
 */
export class FakeAzle implements AzleApi {
  caller = Principal.anonymous();
  nowNs = 1_700_000_000_000_000_000n;
  certified: Uint8Array[] = [];
  certificate: Uint8Array | undefined;
  readonly timers = new Map<bigint, { seconds: number; callback: () => void | Promise<void> }>();
  readonly cleared: bigint[] = [];
  /** Key bytes (hex) to value bytes, per memory id; survives "upgrades" (new maps over the same memory). */
  readonly memories = new Map<number, Map<string, Uint8Array>>();
  private nextTimer = 1n;

  msgCaller = (): Principal => this.caller;
  time = (): bigint => this.nowNs;
  certifiedDataSet = (data: Uint8Array): void => void this.certified.push(data.slice());
  dataCertificate = (): Uint8Array | undefined => this.certificate;
  /** The argument bytes of the manual method being called. */
  argData = new Uint8Array();
  /** What the manual method being called replied, if it did. */
  replied: Uint8Array | undefined;
  msgArgData = (): Uint8Array => this.argData.slice();
  msgReply = (data: Uint8Array): void => {
    if (this.replied !== undefined) throw new Error('msgReply called twice in one call');
    this.replied = data.slice();
  };

  setTimer = (delaySeconds: number, callback: () => void | Promise<void>): bigint => {
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0) throw new Error(`azle setTimer takes whole seconds, got ${delaySeconds}`);
    const id = this.nextTimer++;
    this.timers.set(id, { seconds: delaySeconds, callback });
    return id;
  };

  clearTimer = (timerId: bigint): void => {
    this.cleared.push(timerId);
    this.timers.delete(timerId);
  };

  readonly StableBTreeMap = fakeStableBTreeMapClass(this);

  readonly init = (paramIdlTypes: IDL.Type[] = []): AzleMethodDecorator => this.decorator('init', paramIdlTypes, undefined);
  readonly postUpgrade = (paramIdlTypes: IDL.Type[] = []): AzleMethodDecorator => this.decorator('postUpgrade', paramIdlTypes, undefined);
  readonly update = (paramIdlTypes: IDL.Type[] = [], returnIdlType?: IDL.Type, options?: { manual?: boolean }): AzleMethodDecorator =>
    this.decorator('update', paramIdlTypes, returnIdlType, options?.manual ?? false);
  readonly query = (paramIdlTypes: IDL.Type[] = [], returnIdlType?: IDL.Type, options?: { manual?: boolean }): AzleMethodDecorator =>
    this.decorator('query', paramIdlTypes, returnIdlType, options?.manual ?? false);

  // Where decorated methods register while `instantiate` runs; like azle, other instantiations register nothing.
  private registering: Map<string, FakeAzleMethod> | undefined;

  /**
   * Instantiates a canister class as azle's build does and returns its methods by name (`init` and
   * `postUpgrade` under those names). Like azle, a second definition of a name (or of init/post_upgrade)
   * and init and post_upgrade with different parameters throw.
   */
  instantiate(Canister: new () => object): Map<string, FakeAzleMethod> {
    const methods = new Map<string, FakeAzleMethod>();
    this.registering = methods;
    try {
      new Canister();
    } finally {
      this.registering = undefined;
    }
    const [init, postUpgrade] = [methods.get('init'), methods.get('postUpgrade')];
    if (init && postUpgrade && display(init.paramIdlTypes) !== display(postUpgrade.paramIdlTypes)) {
      throw new Error("'@init' and '@postUpgrade' methods must have the same parameters");
    }
    return methods;
  }

  private decorator(kind: FakeAzleMethodKind, paramIdlTypes: IDL.Type[], returnIdlType: IDL.Type | undefined, manual = false): AzleMethodDecorator {
    const fake = this;
    return (method, context) => {
      context.addInitializer(function (this: unknown) {
        const methods = fake.registering;
        if (methods === undefined) return;
        const name = kind === 'init' || kind === 'postUpgrade' ? kind : String(context.name);
        if (methods.has(name)) throw new Error(`'${name}' method can only have one definition in the canister`);
        const bound = method.bind(this);
        methods.set(name, {
          kind,
          name,
          paramIdlTypes,
          returnIdlType,
          manual,
          call: (...args) => {
            const argData = new Uint8Array(IDL.encode(paramIdlTypes, args));
            if (manual) {
              fake.argData = argData;
              fake.replied = undefined;
              bound();
              const reply = fake.replied as Uint8Array | undefined;
              if (reply === undefined) throw new Error(`manual method ${name} did not reply`);
              return returnIdlType === undefined ? undefined : IDL.decode([returnIdlType], reply)[0];
            }
            const result: unknown = bound(...IDL.decode(paramIdlTypes, argData));
            if (returnIdlType === undefined) return undefined;
            return IDL.decode([returnIdlType], IDL.encode([returnIdlType], [result]))[0];
          },
        });
      });
    };
  }
}

function display(types: IDL.Type[]): string {
  return types.map((t) => t.display()).join(', ');
}

function fakeStableBTreeMapClass(azle: FakeAzle): AzleApi['StableBTreeMap'] {
  return class FakeStableBTreeMap<K, V> implements AzleStableBTreeMap<K, V> {
    private readonly memory: Map<string, Uint8Array>;
    constructor(
      readonly memoryId: number,
      private readonly keys: AzleSerializable<K> = json(),
      private readonly values: AzleSerializable<V> = json(),
    ) {
      let memory = azle.memories.get(memoryId);
      if (!memory) azle.memories.set(memoryId, (memory = new Map()));
      this.memory = memory;
    }
    get(key: K): V | undefined {
      const bytes = this.memory.get(hex(this.keys.toBytes(key)));
      return bytes === undefined ? undefined : this.values.fromBytes(bytes.slice());
    }
    insert(key: K, value: V): V | undefined {
      const old = this.get(key);
      this.memory.set(hex(this.keys.toBytes(key)), this.values.toBytes(value).slice());
      return old;
    }
    remove(key: K): V | undefined {
      const old = this.get(key);
      this.memory.delete(hex(this.keys.toBytes(key)));
      return old;
    }
    items(startIndex = 0, length = Infinity): [K, V][] {
      const sorted = [...this.memory.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return sorted.slice(startIndex, startIndex + length).map(([k, v]) => [this.keys.fromBytes(unhex(k)), this.values.fromBytes(v.slice())]);
    }
    len(): bigint {
      return BigInt(this.memory.size);
    }
  };
}

function json<T>(): AzleSerializable<T> {
  return {
    toBytes: (data) => new TextEncoder().encode(JSON.stringify(data)),
    fromBytes: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as T,
  };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function unhex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}
