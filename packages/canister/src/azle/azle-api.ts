import type { IDL } from '@dfinity/candid';
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
 * A method decorator as azle's decorator factories (`update([...], ...)`) return it: a TC39 (not
 * `experimentalDecorators`) method decorator that registers the method when the class is instantiated.
 */
export type AzleMethodDecorator = (
  // `any` keeps azle's generic `DecoratorFunction<This, Args, Return>` assignable.
  method: (this: any, ...args: any[]) => any,
  context: ClassMethodDecoratorContext<any, any>,
) => void;

/**
 * The exports of the `azle` package (0.33) the binding uses; pass the module itself:
 * `import * as azle from 'azle'`. The binding never imports `azle`, so this package type-checks and loads
 * without it (azle ships TypeScript sources, not declarations) and the binding can
 * be tested in Node with a fake.
 */
export interface AzleApi extends AzleRuntimeApi, AzleDecoratorApi {}

/** The runtime calls of azle that the core's host needs (everything but the decorators). */
export interface AzleRuntimeApi {
  msgCaller(): Principal;
  /** The Candid argument bytes of the current call (methods declared `{ manual: true }`). */
  msgArgData(): Uint8Array;
  /** Replies with Candid bytes (methods declared `{ manual: true }`). */
  msgReply(data: Uint8Array): void;
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

/** Azle's decorator factories, which the binding declares the canister's entry points with. */
export interface AzleDecoratorApi {
  /** `@init(paramIdlTypes)`. */
  init(paramIdlTypes?: IDL.Type[]): AzleMethodDecorator;
  /** `@postUpgrade(paramIdlTypes)`; azle requires the same parameters as `@init`. */
  postUpgrade(paramIdlTypes?: IDL.Type[]): AzleMethodDecorator;
  /** `@update(paramIdlTypes, returnIdlType)`. */
  update(paramIdlTypes?: IDL.Type[], returnIdlType?: IDL.Type, options?: AzleMethodOptions): AzleMethodDecorator;
  /** `@query(paramIdlTypes, returnIdlType)`. */
  query(paramIdlTypes?: IDL.Type[], returnIdlType?: IDL.Type, options?: AzleMethodOptions): AzleMethodDecorator;
}

/**
 * Options of azle's `@query`/`@update` the binding uses: `manual` leaves decoding the arguments
 * (`msgArgData`) and encoding the reply (`msgReply`) to the method; the types still make the Candid interface.
 */
export interface AzleMethodOptions {
  manual?: boolean;
}
