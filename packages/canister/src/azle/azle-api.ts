import type { Principal } from '@dfinity/principal';

/** How `StableBTreeMap` turns keys and values into bytes (azle's `Serializable`). */
export interface AzleSerializable<T> {
  toBytes(data: T): Uint8Array;
  fromBytes(bytes: Uint8Array): T;
}

/** The part of azle's `StableBTreeMap<K, V>` the binding uses. */
export interface AzleStableBTreeMap<K, V> {
  get(key: K): V | undefined;
  insert(key: K, value: V): V | undefined;
  remove(key: K): V | undefined;
  items(startIndex?: number, length?: number): [K, V][];
  len(): bigint | number;
}

/**
 * The exports of the `azle` package (0.33) the binding uses; pass the module itself:
 * `import * as azle from 'azle'`. The binding never imports `azle`, so this package type-checks and loads
 * without it (azle ships TypeScript sources that do not compile under strict settings) and the binding can
 * be tested in Node with a fake.
 */
export interface AzleApi {
  msgCaller(): Principal;
  time(): bigint;
  certifiedDataSet(data: Uint8Array): void;
  dataCertificate(): Uint8Array | undefined;
  /** Whole seconds. */
  setTimer(delaySeconds: number, callback: () => void | Promise<void>): bigint;
  clearTimer(timerId: bigint): void;
  StableBTreeMap: new (
    memoryId: number,
    // The bivariant method types keep azle's `Serializable` (typed with `any`) assignable.
    keySerializable?: { toBytes(data: any): Uint8Array; fromBytes(bytes: Uint8Array): any },
    valueSerializable?: { toBytes(data: any): Uint8Array; fromBytes(bytes: Uint8Array): any },
  ) => AzleStableBTreeMap<any, any>;
}
