import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAzleCanister } from '../src/azle/build-canister';
import { buildCacheKey } from '../src/azle/build-cache-key';
import { buildCounter, COUNTER_DIR } from './canisters/counter-fixture';

describe('buildAzleCanister', () => {
  let first: Awaited<ReturnType<typeof buildCounter>>;
  const temps: string[] = [];

  beforeAll(async () => {
    first = await buildCounter();
  }, 180_000);

  afterAll(async () => {
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function tempProject(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ic-ws-azle-'));
    temps.push(dir);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    return dir;
  }

  it('produces a wasm module and the Candid interface of the counter', async () => {
    expect([...first.wasm.subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]);
    expect(WebAssembly.validate(first.wasm as Uint8Array<ArrayBuffer>)).toBe(true);
    const did = await readFile(first.didPath, 'utf8');
    expect(did).toContain('increment: () -> (nat64);');
    expect(did).toContain('get: () -> (nat64) query;');
  });

  it('serves an unchanged canister from the cache', async () => {
    const again = await buildAzleCanister({ dfxJsonDir: COUNTER_DIR, name: 'counter' });
    expect(again.cached).toBe(true);
    expect(again.wasmPath).toBe(first.wasmPath);
  });

  it('copies the cached build to outDir', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'ic-ws-azle-out-'));
    temps.push(outDir);
    const copied = await buildAzleCanister({ dfxJsonDir: COUNTER_DIR, name: 'counter', outDir });
    expect(copied.wasmPath).toBe(join(outDir, 'counter.wasm'));
    // Compared with Buffer.equals: a deep toEqual over 3.5 MB takes vitest minutes.
    expect(Buffer.from(await readFile(copied.wasmPath)).equals(Buffer.from(first.wasm))).toBe(true);
  });

  it('rejects a canister missing from dfx.json with AZLE_BUILD_FAILED', async () => {
    const error = await buildAzleCanister({ dfxJsonDir: COUNTER_DIR, name: 'missing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IcWsError);
    expect((error as IcWsError).code).toBe(ErrorCode.AzleBuildFailed);
    expect((error as IcWsError).message).toContain("no canister 'missing'");
  });

  it("reports azle's own error output when the build fails", async () => {
    const dir = await tempProject({
      'dfx.json': JSON.stringify({ canisters: { broken: { type: 'azle', main: 'src/index.ts' } } }),
      'src/index.ts': "import { nothing } from './does-not-exist';\nexport default class { x = nothing; }\n",
    });
    const error = await buildAzleCanister({ dfxJsonDir: dir, name: 'broken' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IcWsError);
    expect((error as IcWsError).code).toBe(ErrorCode.AzleBuildFailed);
    expect((error as IcWsError).message).toMatch(/azle build broken failed[\s\S]*Could not resolve/);
  }, 60_000);
});

describe('buildCacheKey', () => {
  it('changes with the sources and the azle version but not with node_modules', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ic-ws-key-'));
    try {
      await mkdir(join(dir, 'src', 'node_modules'), { recursive: true });
      await writeFile(join(dir, 'src', 'index.ts'), 'export default class {}');
      const entry = { main: 'src/index.ts' };
      const key = () => buildCacheKey({ dfxJsonDir: dir, name: 'c', entry, azleVersion: '0.33.0' });
      const original = key();
      expect(key()).toBe(original);
      await writeFile(join(dir, 'src', 'node_modules', 'x.js'), 'ignored');
      expect(key()).toBe(original);
      expect(buildCacheKey({ dfxJsonDir: dir, name: 'c', entry, azleVersion: '0.34.0' })).not.toBe(original);
      await writeFile(join(dir, 'src', 'index.ts'), 'export default class { changed = 1 }');
      expect(key()).not.toBe(original);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
