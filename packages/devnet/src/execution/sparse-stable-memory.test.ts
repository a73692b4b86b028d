import { describe, expect, it } from 'vitest';
import { CanisterTrap } from './canister-trap';
import { PAGE_SIZE, SparseStableMemory } from './sparse-stable-memory';

describe('SparseStableMemory', () => {
  it('grows without allocating and reads zeros where nothing was written', () => {
    const memory = new SparseStableMemory();
    expect(memory.grow(1_000)).toBe(0);
    expect(memory.size()).toBe(1_000);
    const out = new Uint8Array(16).fill(9);
    memory.read(out, 500 * PAGE_SIZE);
    expect([...out]).toEqual(new Array(16).fill(0));
    expect(memory.allocatedChunks()).toBe(0);
  });

  it('reads back writes that span chunk boundaries', () => {
    const memory = new SparseStableMemory();
    memory.grow(3);
    memory.begin();
    const data = Uint8Array.from({ length: 100 }, (_, i) => i + 1);
    memory.write(data, PAGE_SIZE - 50);
    memory.commit();
    const out = new Uint8Array(100);
    memory.read(out, PAGE_SIZE - 50);
    expect(out).toEqual(data);
    expect(memory.allocatedChunks()).toBe(2);
  });

  it('rolls back writes and growth of an execution', () => {
    const memory = new SparseStableMemory();
    memory.grow(1);
    memory.begin();
    memory.write(Uint8Array.of(1, 2, 3), 0);
    memory.commit();
    memory.begin();
    memory.grow(2);
    memory.write(Uint8Array.of(9, 9, 9), 0);
    memory.write(Uint8Array.of(7), 2 * PAGE_SIZE);
    memory.rollback();
    expect(memory.size()).toBe(1);
    const out = new Uint8Array(3);
    memory.read(out, 0);
    expect([...out]).toEqual([1, 2, 3]);
    expect(memory.allocatedChunks()).toBe(1);
  });

  it('restores a checkpoint taken before later executions', () => {
    const memory = new SparseStableMemory();
    memory.grow(1);
    memory.begin();
    memory.write(Uint8Array.of(1), 0);
    memory.commit();
    const checkpoint = memory.checkpoint();
    memory.begin();
    memory.write(Uint8Array.of(2), 0);
    memory.commit();
    memory.restore(checkpoint);
    const out = new Uint8Array(1);
    memory.read(out, 0);
    expect(out[0]).toBe(1);
  });

  it('traps on out-of-bounds access', () => {
    const memory = new SparseStableMemory();
    memory.grow(1);
    expect(() => memory.read(new Uint8Array(2), PAGE_SIZE - 1)).toThrow(CanisterTrap);
    expect(() => memory.write(new Uint8Array(1), PAGE_SIZE)).toThrow(CanisterTrap);
  });
});
