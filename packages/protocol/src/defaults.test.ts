import { describe, expect, it } from 'vitest';
import { PROTOCOL_DEFAULTS as D } from './defaults';

describe('PROTOCOL_DEFAULTS', () => {
  it('keeps the ack interval above its exclusive minimum, which is at least the keep-alive timeout', () => {
    expect(D.sendAckIntervalMs).toBeGreaterThan(D.minSendAckIntervalMs);
    expect(D.minSendAckIntervalMs).toBeGreaterThanOrEqual(D.keepAliveTimeoutMs);
  });

  it('keeps the reply budget under the IC query reply limit with room for certificate and witness', () => {
    expect(D.icMaxQueryReplyBytes - D.maxGetMessagesReplyBytes).toBeGreaterThanOrEqual(512 * 1024);
  });

  it('uses the u64 maximum as the largest nonce and a 5-minute certificate age', () => {
    expect(D.maxClientNonce).toBe(18_446_744_073_709_551_615n);
    expect(D.certificateMaxAgeMs).toBe(300_000);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(D)).toBe(true);
  });
});
