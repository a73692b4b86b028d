import { describe, expect, it } from 'vitest';
import { RESERVED_DESCRIPTORS, connectionCap, openFilesLimit } from './descriptor-limit';

const limits = (soft: string) =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax processes             63704                63704                processes\nMax open files            ${soft}                 4096                 files\n`;

describe('descriptor limit', () => {
  it('reads the soft open-files limit, and nothing from "unlimited" or a missing file', () => {
    expect(openFilesLimit(limits('1024'))).toBe(1024);
    expect(openFilesLimit(limits('unlimited'))).toBeNull();
    expect(openFilesLimit(null)).toBeNull();
  });

  it('caps the connections below the descriptor limit', () => {
    expect(connectionCap(10_000, 2_048)).toBe(2_048 - RESERVED_DESCRIPTORS);
    expect(connectionCap(100, 2_048)).toBe(100);
    expect(connectionCap(10_000, null)).toBe(10_000);
    expect(connectionCap(10, 50)).toBe(1);
  });
});
