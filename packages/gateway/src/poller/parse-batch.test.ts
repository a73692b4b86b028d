import { formatOutgoingKey, OUTGOING_KEY_NONCE_DIGITS } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { batchOf } from '../testing/batches';
import { testPrincipal } from '../testing/client-frames';
import type { SkipReason } from './poller-observer';
import { parseBatch } from './parse-batch';

const gateway = testPrincipal(1);
const other = testPrincipal(2);
const client = { client_principal: testPrincipal(3), client_nonce: 1n };

function parse(keys: string[]) {
  const skipped: SkipReason[] = [];
  const batch = batchOf(gateway, keys.map((rawKey, i) => ({ nonce: BigInt(i), clientKey: client, rawKey })));
  const parsed = parseBatch(batch, gateway, { skipped: (reason) => skipped.push(reason) });
  return { nonces: parsed.map((p) => p.nonce), skipped };
}

describe('parseBatch', () => {
  it('takes this gateway\'s keys with their nonces, up to the largest u64', () => {
    const keys = [formatOutgoingKey(gateway, 0n), formatOutgoingKey(gateway, 7n), formatOutgoingKey(gateway, (1n << 64n) - 1n)];
    expect(parse(keys)).toEqual({ nonces: [0n, 7n, (1n << 64n) - 1n], skipped: [] });
  });

  it('skips keys of another gateway and malformed keys, as the full parser would', () => {
    const own = formatOutgoingKey(gateway, 5n);
    const digits = own.slice(-OUTGOING_KEY_NONCE_DIGITS);
    const prefix = own.slice(0, -OUTGOING_KEY_NONCE_DIGITS);
    const keys = [
      formatOutgoingKey(other, 5n),
      `${prefix}${'9'.repeat(OUTGOING_KEY_NONCE_DIGITS)}`, // above u64
      `${prefix}${digits.slice(0, -1)}x`,
      `${prefix}0${digits}`, // one digit too many
      own.toUpperCase(),
      `${prefix.slice(0, -1)}__${digits}`,
      'not-a-key',
    ];
    expect(parse(keys)).toEqual({
      nonces: [],
      skipped: ['foreign_gateway', 'invalid_key', 'invalid_key', 'invalid_key', 'invalid_key', 'invalid_key', 'invalid_key'],
    });
  });
});
