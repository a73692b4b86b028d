import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { ErrorCode } from 'ic-ws-protocol';
import { describe, expect, it } from 'vitest';
import { NodeEd25519Identity, loadOrCreateIdentity } from './node-ed25519-identity';

describe('NodeEd25519Identity', () => {
  it('has the principal and signatures @dfinity/identity computes for the same key', async () => {
    const identity = NodeEd25519Identity.generate();
    const raw = identity.getPublicKey().rawKey!;
    const reference = Ed25519KeyIdentity.fromKeyPair(raw, new Uint8Array(32));
    expect(identity.getPrincipal().toText()).toBe(reference.getPrincipal().toText());
    const message = new TextEncoder().encode('ic-request');
    const signature = await identity.sign(message);
    expect(Ed25519KeyIdentity.verify(signature, message, raw)).toBe(true);
  });

  it('creates the identity file with mode 0600 and loads the same principal again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-id-'));
    const path = join(dir, 'nested', 'id.pem');
    const first = await loadOrCreateIdentity(path);
    expect(first.created).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const second = await loadOrCreateIdentity(path);
    expect(second.created).toBe(false);
    expect(second.identity.getPrincipal().toText()).toBe(first.identity.getPrincipal().toText());
    expect(await readFile(path, 'utf8')).toContain('BEGIN PRIVATE KEY');
  });

  it('rejects a file that is not an Ed25519 key with IDENTITY_FILE_INVALID', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-id-'));
    const path = join(dir, 'bad.pem');
    await writeFile(path, 'hello');
    await expect(loadOrCreateIdentity(path)).rejects.toMatchObject({ code: ErrorCode.IdentityFileInvalid });
  });
});
