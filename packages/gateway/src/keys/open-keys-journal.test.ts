import { appendFile, mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { testCanisterId, testPrincipal } from '../testing/client-frames';
import { OpenKeysJournal, type OpenKey } from './open-keys-journal';

const log = pino({ level: 'silent' });
const key = (seed: number, canister = 1): OpenKey => ({
  canisterId: testCanisterId(canister),
  clientKey: { client_principal: testPrincipal(seed), client_nonce: BigInt(seed) * 1_000_000_007n },
});

describe('OpenKeysJournal', () => {
  it('gives the next run the keys opened and never closed, and keeps only those in the file', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'gw-keys-')), 'nested', 'gateway.open-keys');
    const first = await OpenKeysJournal.load(path, log);
    expect(first.leftBehind).toEqual([]);
    await Promise.all([first.journal.opened(key(1)), first.journal.opened(key(2)), first.journal.opened(key(3, 2))]);
    first.journal.closed(key(2));
    await first.journal.flush();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    // A SIGKILL mid-write leaves a torn last line: it is skipped.
    await appendFile(path, 'open aaaaa-aa 2vxsx');

    const second = await OpenKeysJournal.load(path, log);
    expect(second.leftBehind.map((k) => [k.canisterId.toText(), k.clientKey.client_principal.toText(), k.clientKey.client_nonce])).toEqual(
      [key(1), key(3, 2)].map((k) => [k.canisterId.toText(), k.clientKey.client_principal.toText(), k.clientKey.client_nonce]),
    );
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(2);
    second.journal.closed(key(1));
    second.journal.closed(key(3, 2));
    await second.journal.flush();
    expect((await OpenKeysJournal.load(path, log)).leftBehind).toEqual([]);
  });

  it('writes the opens of one turn of the event loop together, and resolves each once written', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'gw-keys-')), 'gateway.open-keys');
    const { journal } = await OpenKeysJournal.load(path, log);
    const written = Array.from({ length: 50 }, (_, i) => journal.opened(key(i + 1)));
    expect(written.every((p) => p === written[0])).toBe(true);
    await written[0];
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(50);
    expect(journal.openCount).toBe(50);
  });

  it('keeps nothing on disk without a path', async () => {
    const { journal, leftBehind } = await OpenKeysJournal.load(null, log);
    expect(leftBehind).toEqual([]);
    await journal.opened(key(1));
    journal.closed(key(1));
    await journal.flush();
    expect(journal.openCount).toBe(0);
  });
});
