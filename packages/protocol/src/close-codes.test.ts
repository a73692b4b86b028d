import { describe, expect, it } from 'vitest';
import { CLOSE_MESSAGE_REASONS, type CloseMessageReason } from './candid/types';
import { CloseCode, closeCodeForCloseMessageReason, closeReasonText, isCloseCode, parseRetryAfterMs, retryAfterReason } from './close-codes';

const codes = Object.entries(CloseCode);

describe('CloseCode', () => {
  it('has unique numbers, standard ones or in 4000-4999', () => {
    const numbers = codes.map(([, code]) => code);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const code of numbers) expect([1000, 1001, 1008, 1009, 1011, 1013].includes(code) || (code >= 4000 && code <= 4999)).toBe(true);
  });

  it('gives every code a distinct reason that fits a close frame (at most 123 UTF-8 bytes)', () => {
    const reasons = codes.map(([, code]) => closeReasonText(code));
    expect(new Set(reasons).size).toBe(reasons.length);
    for (const reason of reasons) {
      expect(reason).not.toMatch(/^unknown/);
      expect(new TextEncoder().encode(reason).length).toBeLessThanOrEqual(123);
    }
  });

  it('describes unknown codes without throwing', () => {
    expect(isCloseCode(4999)).toBe(false);
    expect(isCloseCode(CloseCode.WrongCanister)).toBe(true);
    expect(closeReasonText(4999)).toBe('unknown close code 4999');
  });

  it('maps each CloseMessageReason to its own 41xx code', () => {
    const mapped = CLOSE_MESSAGE_REASONS.map((name) => closeCodeForCloseMessageReason({ [name]: null } as CloseMessageReason));
    expect(mapped).toEqual([
      CloseCode.CanisterWrongSequenceNumber,
      CloseCode.CanisterInvalidServiceMessage,
      CloseCode.CanisterKeepAliveTimeout,
      CloseCode.CanisterClosedByApplication,
    ]);
    for (const code of mapped) expect(Math.floor(code / 100)).toBe(41);
  });

  it('writes and reads the retry hint of a TryAgainLater close, within a close frame', () => {
    const reason = retryAfterReason(5_000);
    expect(reason).toBe('try again later; retry after 5000 ms');
    expect(parseRetryAfterMs(reason)).toBe(5_000);
    expect(new TextEncoder().encode(retryAfterReason(1e12)).length).toBeLessThanOrEqual(123);
    expect(parseRetryAfterMs(retryAfterReason(-3))).toBe(0);
    for (const other of ['', 'going away', 'retry after x ms', 'retry after 5 s', 'xretry after 5 ms']) expect(parseRetryAfterMs(other)).toBeUndefined();
  });
});
