import { afterAll, beforeAll, beforeEach } from 'vitest';
import { TestNetwork } from './test-network';

/**
 * The hooks of a test file on one manual-clock {@link TestNetwork}: started before all its tests (then handed
 * to `started`), its IC clock brought up to the wall clock before each test (clients base ingress expiry on
 * their own clock), closed after all. Call it at the top level of the file, before its own hooks.
 */
export function useManualTestNetwork(started: (net: TestNetwork) => void): void {
  let net: TestNetwork | undefined;

  beforeAll(async () => {
    net = await TestNetwork.start({ time: 'manual' });
    started(net);
  }, 120_000);

  afterAll(async () => {
    await net?.close();
  });

  beforeEach(async () => {
    await net!.catchUpWithWallClock();
  });
}
