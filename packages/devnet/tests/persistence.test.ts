/**
 * `stateDir`: a devnet stopped (gracefully, or with SIGKILL in the middle of a stream of updates) and started
 * again on the same directory serves the same canisters in the same state, under the same root key, with IC
 * time that never went back, and has lost no update it acknowledged. The SIGKILL run uses the CLI in its own
 * process, as `pnpm dev` runs it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Actor, Certificate, HttpAgent, lookupResultToBuffer, type Identity } from '@dfinity/agent';
import { ICManagementCanister } from '@dfinity/ic-management';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import { ErrorCode } from 'ic-ws-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet } from '../src/index';
import { buildCounter, counterInitArg, encodeCounterValue } from './canisters/counter-fixture';
import { counterIdlFactory, type CounterActor } from './canisters/counter-idl';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const owner = Ed25519KeyIdentity.generate();
const dirs: string[] = [];
let wasm: Uint8Array;
let wasmPath: string;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ic-ws-devnet-state-'));
  dirs.push(dir);
  return dir;
}

async function agentAt(url: string, identity: Identity = owner): Promise<HttpAgent> {
  return HttpAgent.create({ host: url, identity, shouldFetchRootKey: true, verifyQuerySignatures: true, retryTimes: 0 });
}

function counterAt(agent: HttpAgent, canisterId: Principal): CounterActor {
  return Actor.createActor<CounterActor>(counterIdlFactory, { agent, canisterId });
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function decodeLeb128(bytes: Uint8Array): bigint {
  let value = 0n;
  bytes.forEach((byte, i) => (value |= BigInt(byte & 0x7f) << BigInt(7 * i)));
  return value;
}

/** The certified `time` and counter value of a read_state certificate, verified against `rootKey`. */
async function certified(agent: HttpAgent, canisterId: Principal, rootKey: Uint8Array): Promise<{ timeNs: bigint; data: Uint8Array | undefined }> {
  const { certificate } = await agent.readState(canisterId, { paths: [[utf8('canister'), canisterId.toUint8Array(), utf8('certified_data')]] });
  const verified = await Certificate.create({ certificate, rootKey, canisterId });
  return {
    timeNs: decodeLeb128(lookupResultToBuffer(verified.lookup_path(['time'])) as Uint8Array),
    data: lookupResultToBuffer(verified.lookup_path(['canister', canisterId.toUint8Array(), 'certified_data'])),
  };
}

beforeAll(async () => {
  ({ wasm, wasmPath } = await buildCounter());
}, 180_000);

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a devnet restarted on its state directory', () => {
  it('after a graceful stop: same canisters and state, same root key, time not back, management state kept', async () => {
    const dir = tempDir();
    const first = await startDevnet({ stateDir: dir, roundIntervalMs: 0 });
    expect(first.state).toEqual({ dir, restored: false });
    const { canisterId, action } = await first.deploy({ name: 'counter', wasm, arg: counterInitArg('kept'), controllers: [owner.getPrincipal()] });
    expect(action).toBe('installed');
    const agent1 = await agentAt(first.url);
    const counter1 = counterAt(agent1, canisterId);
    for (let i = 1n; i <= 3n; i++) expect(await counter1.increment()).toBe(i);
    await counter1.put('stable', 'memory');
    const ic1 = ICManagementCanister.create({ agent: agent1 });
    const parked = await ic1.provisionalCreateCanisterWithCycles({ settings: { controllers: [owner.getPrincipal().toText()] } });
    const { hash: chunkHash } = await ic1.uploadChunk({ canisterId: parked, chunk: utf8('a chunk kept across restarts') });
    await ic1.stopCanister(parked);
    const before = await certified(agent1, canisterId, first.rootKey);
    const rootKey = first.rootKey;
    await first.close();

    const second = await startDevnet({ stateDir: dir, roundIntervalMs: 0 });
    try {
      expect(second.state).toEqual({ dir, restored: true });
      expect(Buffer.from(second.rootKey).toString('hex')).toBe(Buffer.from(rootKey).toString('hex'));
      expect(second.canisterIds().map((id) => id.toText())).toEqual([canisterId.toText(), parked.toText()]);
      const agent2 = await agentAt(second.url);
      const counter2 = counterAt(agent2, canisterId);
      expect(await counter2.get()).toBe(3n); // heap
      expect(await counter2.lookup('stable')).toEqual(['memory']); // stable memory
      expect(await counter2.getLabel()).toBe('kept');
      const after = await certified(agent2, canisterId, rootKey); // verifies against the first run's root key
      expect(after.data).toEqual(encodeCounterValue(3n)); // certified data
      expect(after.timeNs).toBeGreaterThanOrEqual(before.timeNs);
      expect(await counter2.increment()).toBe(4n); // and it carries on: globals, allocator, timers intact
      const ic2 = ICManagementCanister.create({ agent: agent2 });
      expect('stopped' in (await ic2.canisterStatus(parked)).status).toBe(true);
      expect((await ic2.storedChunks({ canisterId: parked })).map((c) => Buffer.from(c.hash).toString('hex'))).toEqual([Buffer.from(chunkHash).toString('hex')]);
      await expect(ICManagementCanister.create({ agent: await agentAt(second.url, Ed25519KeyIdentity.generate()) }).canisterStatus(canisterId)).rejects.toThrow(/IC0512/);

      // Deploying by name again finds the canister: unchanged, or upgraded with its state.
      expect((await second.deploy({ name: 'counter', wasm, arg: counterInitArg('kept') })).action).toBe('unchanged');
      const changed = new Uint8Array(Buffer.concat([wasm, Uint8Array.of(0, 4, 3, 0x61, 0x62, 0x63)]));
      expect(await second.deploy({ name: 'counter', wasm: changed, arg: counterInitArg('upgraded') })).toEqual({ canisterId, action: 'upgraded' });
      expect(await counter2.get()).toBe(4n);
      expect(await counter2.getLabel()).toBe('upgraded');

      // One devnet per directory, and the directory's root key is the one that counts.
      await expect(startDevnet({ stateDir: dir })).rejects.toMatchObject({ code: ErrorCode.StateDirLocked });
    } finally {
      await second.close();
    }
    await expect(startDevnet({ stateDir: dir, rootKeySecret: new Uint8Array(32).fill(7) })).rejects.toMatchObject({ code: ErrorCode.InvalidOptions });
  }, 120_000);

  it('refuses a folder that is not a devnet state directory, and starts fresh on an empty one', async () => {
    const dir = tempDir();
    const fresh = await startDevnet({ stateDir: join(dir, 'not-yet-there') });
    expect(fresh.canisterIds()).toEqual([]);
    await fresh.close();
    await expect(startDevnet({ stateDir: packageDir })).rejects.toMatchObject({ code: ErrorCode.StateDirInvalid });
  });

  it('after SIGKILL in the middle of a stream of updates: no acknowledged update lost', async () => {
    const dir = tempDir();
    const first = await startCli(dir);
    const canisterId = Principal.fromText(first.ready.canisters['counter.wasm'] as string);
    const agent = await agentAt(first.ready.url);
    const counter = counterAt(agent, canisterId);
    // Four writers, each counting the increments the devnet acknowledged, until the process dies under them.
    let acknowledged = 0;
    let highest = 0n;
    let sent = 0;
    let dead = false;
    const writer = async () => {
      while (!dead) {
        sent++;
        try {
          const value = await counter.increment();
          acknowledged++;
          if (value > highest) highest = value;
        } catch {
          return; // the devnet is gone: this call was never acknowledged
        }
      }
    };
    const writers = Promise.all([writer(), writer(), writer(), writer()]);
    while (acknowledged < 30) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    dead = true;
    await once(first.child, 'exit');
    await writers;
    expect(acknowledged).toBeGreaterThanOrEqual(30);

    const second = await startCli(dir);
    try {
      expect(second.ready.rootKey).toBe(first.ready.rootKey);
      expect(second.ready.canisters['counter.wasm']).toBe(canisterId.toText());
      expect(second.stderr()).toContain('unchanged counter.wasm');
      const value = await counterAt(await agentAt(second.ready.url), canisterId).get();
      // Every acknowledged increment is there; an unacknowledged one may or may not be (it was in flight).
      expect(value).toBeGreaterThanOrEqual(highest);
      expect(value).toBeGreaterThanOrEqual(BigInt(acknowledged));
      expect(value).toBeLessThanOrEqual(BigInt(sent));
    } finally {
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
    }
  }, 180_000);
});

interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  ready: { url: string; rootKey: string; canisters: Record<string, string> };
  stderr(): string;
}

/**
 * Starts the CLI from source with its state in `<work>/state` and the counter installed as `counter.wasm`, and
 * reads its ready line.
 */
async function startCli(work: string): Promise<RunningCli> {
  const counterWasm = join(work, 'counter.wasm');
  const stateDir = join(work, 'state');
  copyFileSync(wasmPath, counterWasm);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', '--port', '0', '--state-dir', stateDir, '--install', counterWasm, '--init-arg-hex', Buffer.from(counterInitArg('cli')).toString('hex')],
    { cwd: packageDir, stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`ic-ws-devnet exited with ${String(code)}: ${stderr}`))),
  ])) as [string];
  return { child, ready: JSON.parse(line) as RunningCli['ready'], stderr: () => stderr };
}
