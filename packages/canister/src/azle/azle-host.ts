import type { CanisterHost, TimerId } from '../host';
import type { StableStore } from '../stable-store';
import type { AzleRuntimeApi } from './azle-api';
import { AzleStableStore, type AzleMemoryIds } from './azle-stable-store';

/**
 * A {@link CanisterHost} over azle: `msgCaller`, `time`, `certifiedDataSet`, `dataCertificate`,
 * `setTimer`/`clearTimer`, and an {@link AzleStableStore} at `memoryIds` (or the store given).
 * Azle timers take whole seconds, so delays are rounded up: a timer never fires early.
 *
 * @example
 * ```ts
 * import * as azle from 'azle';
 * const ws = createWsCanister(azleHost(azle), { appMessageIdl: IDL.Text });
 * ```
 */
export function azleHost(azle: AzleRuntimeApi, options: { memoryIds?: Partial<AzleMemoryIds>; stableStore?: StableStore } = {}): CanisterHost {
  const stableStore = options.stableStore ?? new AzleStableStore(azle, options.memoryIds);
  return {
    stableStore,
    caller: () => azle.msgCaller(),
    time: () => azle.time(),
    certifiedDataSet: (data) => azle.certifiedDataSet(data),
    dataCertificate: () => azle.dataCertificate(),
    setTimer: (delayMs, callback): TimerId => azle.setTimer(Math.max(0, Math.ceil(delayMs / 1000)), callback),
    clearTimer: (id) => {
      if (typeof id === 'bigint') azle.clearTimer(id);
    },
  };
}
