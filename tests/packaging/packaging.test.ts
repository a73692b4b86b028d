/**
 * Packaging (issue "[examples]", acceptance 3): the five packages as users get them, from their packed
 * tarballs installed with npm into an empty folder. Checks the CLIs, Node ESM and CJS imports, a Vite
 * browser build of a page using ic-ws-client, an azle build of a canister using ic-ws-canister, and one
 * message through devnet, gateway and client, all from the installed packages.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { realpathSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Actor, HttpAgent } from '@dfinity/agent';
import { wsServiceDid } from 'ic-ws-protocol';
import { didMethodSignatures } from '../../packages/canister/tests/support/did-signatures';
import { PACKAGES, PUBLISHED, preparePackedApp, repoRoot, run, type PackedApp } from './support/packed-app';
import { processesMatching, startLineProcess } from './support/processes';
import { readmeLinkProblems } from './support/readme-links';

let packed: PackedApp;
/** The echo canister built from the tarballs (by the canister test; the signal tests use it). */
let echoWasm: string | undefined;
// npm_config_yes=false: npx must use the installed bins, never fetch a package of that name.
const npxEnv = { ...process.env, npm_config_yes: 'false' };

beforeAll(async () => {
  packed = await preparePackedApp(inject('tarballs'));
});

afterAll(async () => {
  if (packed) await rm(packed.work, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('depend on each other by version: no workspace: protocol survives packing', async () => {
    for (const { name } of PACKAGES) {
      const manifest = JSON.parse(await readFile(join(packed.app, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      const ranges = { ...manifest.dependencies, ...manifest.peerDependencies };
      for (const [dependency, range] of Object.entries(ranges)) expect(`${name} -> ${dependency}@${range}`).not.toMatch(/workspace:/);
      if (name !== 'ic-ws-protocol') expect(manifest.dependencies?.['ic-ws-protocol']).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('npm pack --dry-run: repository (with directory), homepage, bugs and keywords; README links absolute or shipped', async () => {
    for (const { dir, name } of PUBLISHED) {
      const cwd = join(repoRoot, 'packages', dir);
      const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd });
      const [report] = JSON.parse(stdout) as [{ name: string; files: { path: string }[] }];
      expect(report.name).toBe(name);
      const files = new Set(report.files.map((file) => file.path));
      expect(files, `${name} ships its README`).toContain('README.md');
      const manifest = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as {
        repository?: { type?: string; url?: string; directory?: string };
        homepage?: string;
        bugs?: { url?: string };
        keywords?: string[];
      };
      expect(manifest.repository, name).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/), directory: `packages/${dir}` });
      expect(manifest.homepage, name).toMatch(/^https:\/\//);
      expect(manifest.bugs?.url, name).toMatch(/^https:\/\//);
      expect(manifest.keywords?.length, name).toBeGreaterThanOrEqual(3);
      expect(readmeLinkProblems(await readFile(join(cwd, 'README.md'), 'utf8'), files), `${name}/README.md`).toEqual([]);
    }
  });

  it('`npx ic-ws-gateway --version` and `npx ic-ws-devnet --version` print the package version', async () => {
    for (const name of ['ic-ws-gateway', 'ic-ws-devnet']) {
      const { version } = JSON.parse(await readFile(join(packed.app, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      const { stdout } = await run('npx', [name, '--version'], { cwd: packed.app, env: npxEnv });
      expect(stdout).toBe(`${version}\n`);
    }
  });

  it('`npx ic-ws-gateway --help` and `npx ic-ws-devnet --help` print their flags', async () => {
    const gateway = await run('npx', ['ic-ws-gateway', '--help'], { cwd: packed.app, env: npxEnv });
    expect(gateway.stdout).toMatch(/Usage: ic-ws-gateway/);
    for (const flag of ['--listen', '--ic-url', '--polling-interval', '--root-key-file', '--log-level', 'IC_WS_IC_URL']) expect(gateway.stdout).toContain(flag);
    const devnet = await run('npx', ['ic-ws-devnet', '--help'], { cwd: packed.app, env: npxEnv });
    expect(devnet.stdout).toMatch(/Usage: ic-ws-devnet/);
    for (const flag of ['--port', '--install', '--init-arg-hex', '--manual-time', 'IC_WS_DEVNET_PORT']) expect(devnet.stdout).toContain(flag);
  });

  it('import in Node ESM and require in CJS with the same exports, ic-ws-client included', async () => {
    const entries = [...PACKAGES.map((p) => p.name), 'ic-ws-canister/azle', 'ic-ws-canister/testing'];
    const keys = (list: string) => `console.log(JSON.stringify(Object.fromEntries(${list})))`;
    const esm = await run(
      'node',
      ['--input-type=module', '-e', `const m = {}; for (const e of ${JSON.stringify(entries)}) m[e] = Object.keys(await import(e)).filter((k) => k !== 'default').sort(); ${keys('Object.entries(m)')}`],
      { cwd: packed.app },
    );
    const cjs = await run(
      'node',
      ['--input-type=commonjs', '-e', `const m = {}; for (const e of ${JSON.stringify(entries)}) m[e] = Object.keys(require(e)).sort(); ${keys('Object.entries(m)')}`],
      { cwd: packed.app },
    );
    const fromEsm = JSON.parse(esm.stdout) as Record<string, string[]>;
    expect(JSON.parse(cjs.stdout)).toEqual(fromEsm);
    expect(fromEsm['ic-ws-client']).toEqual(expect.arrayContaining(['IcWebSocket', 'IcWsClientError', 'IC_WEBSOCKET_DEFAULTS', 'CloseCode']));
    expect(fromEsm['ic-ws-gateway']).toEqual(expect.arrayContaining(['startGateway', 'GATEWAY_DEFAULTS']));
    expect(fromEsm['ic-ws-devnet']).toEqual(expect.arrayContaining(['startDevnet', 'buildAzleCanister']));
    expect(fromEsm['ic-ws-canister']).toEqual(expect.arrayContaining(['createWsCanister', 'CanisterError', 'MemoryStableStore']));
    expect(fromEsm['ic-ws-canister/azle']).toEqual(expect.arrayContaining(['defineWsCanister', 'createAzleWsCanister', 'wsMethodTypes']));
    expect(fromEsm['ic-ws-canister/testing']).toEqual(['FakeCanisterHost', 'FakePollingGateway', 'VerificationFailure']);
    // Test code stays out of the library's entry points.
    for (const entry of ['ic-ws-canister', 'ic-ws-canister/azle']) expect(fromEsm[entry]?.filter((name) => /^Fake/.test(name)), entry).toEqual([]);

    // Not only loads: the CJS build runs, and its errors carry codes.
    const invalid = await run(
      'node',
      [
        '--input-type=commonjs',
        '-e',
        `const { IcWebSocket } = require('ic-ws-client'); try { new IcWebSocket({ gatewayUrl: 'ws://127.0.0.1:1', canisterId: 'aaaaa-aa', identity: undefined }); } catch (e) { console.log(e.name + ' ' + e.code); }`,
      ],
      { cwd: packed.app },
    );
    expect(invalid.stdout.trim()).toBe('IcWsClientError INVALID_OPTIONS');
  });

  it('bundles a page using ic-ws-client for the browser with Vite, without Node built-ins or the ws package', async () => {
    // The workspace's Vite (the one vitest runs on).
    const vitestDir = realpathSync(join(repoRoot, 'node_modules', 'vitest'));
    const viteDir = join(createRequire(join(vitestDir, 'package.json')).resolve('vite/package.json'), '..');
    const web = join(packed.app, 'web');
    const { stdout, stderr } = await run('node', [join(viteDir, 'bin', 'vite.js'), 'build'], { cwd: web });
    expect(`${stdout}${stderr}`).not.toMatch(/externalized for browser compatibility|error/i);
    const assets = join(web, 'dist', 'assets');
    const scripts = (await readdir(assets)).filter((file) => file.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const bundle = (await Promise.all(scripts.map((file) => readFile(join(assets, file), 'utf8')))).join('\n');
    // ic-ws-client's code made it in (its error codes and the handshake it expects) ...
    expect(bundle).toContain('INVALID_OPTIONS');
    expect(bundle).toContain('gateway_principal');
    // The WebAssembly BLS verifier (its module base64-embedded: "AGFzbQ" is the wasm magic) is a chunk of its
    // own, loaded on demand, not part of the entry.
    const withWasm = (await Promise.all(scripts.map(async (file) => ((await readFile(join(assets, file), 'utf8')).includes('AGFzbQ') ? file : undefined)))).filter(Boolean);
    expect(withWasm).toHaveLength(1);
    expect(await readFile(join(web, 'dist', 'index.html'), 'utf8')).not.toContain(withWasm[0]!);
    // ... and nothing of Node: no node: imports, no require of ws (isomorphic-ws took its browser entry).
    expect(bundle).not.toMatch(/(from|import)\s*\(?\s*["'](ws|node:[a-z_/]+)["']|require\(["'](ws|node:[a-z_/]+|crypto|buffer)["']\)/);
  });

  it('builds an azle canister using ic-ws-canister, and serves one message through devnet, gateway and client', async () => {
    // It type-checks with strict against the installed packages (fixtures/tsconfig.json).
    await run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], { cwd: packed.app, env: npxEnv });
    const build = await run('node', ['build-canister.mjs'], { cwd: packed.app });
    const built = JSON.parse(build.stdout.trim().split('\n').at(-1)!) as { wasmPath: string; didPath: string; wasmBytes: number };
    echoWasm = built.wasmPath;
    expect(built.wasmBytes).toBeGreaterThan(1_000_000);
    // The binding's entry points, from the tarball, have exactly the protocol's Candid.
    const generated = didMethodSignatures(await readFile(built.didPath, 'utf8'));
    const spec = didMethodSignatures(wsServiceDid('text'));
    for (const name of ['ws_open', 'ws_close', 'ws_message', 'ws_get_messages']) expect(generated.get(name), name).toBe(spec.get(name));
    expect(generated.get('client_count')).toBe('() -> (nat32) query');

    const roundTrip = await run('node', ['echo-round-trip.mjs', built.wasmPath], { cwd: packed.app, timeoutMs: 120_000 });
    // The certificate was verified by the WebAssembly BLS verifier, loaded from the installed mcl-wasm.
    expect(JSON.parse(roundTrip.stdout.trim().split('\n').at(-1)!)).toEqual({ echo: 'echo:from the tarballs', closeCode: 1000, wasClean: true, blsVerifier: 'wasm' });
  });
});

describe('stopping `npx ic-ws-gateway` and `npx ic-ws-devnet` with kill -TERM of the npx process', () => {
  it('the gateway drains: the live session gets 1001, the canister its ws_close, and no gateway process is left; then the devnet stops too', async () => {
    expect(echoWasm, 'the canister test builds the wasm first').toBeDefined();
    const devnet = startLineProcess('npx', ['ic-ws-devnet', '--port', '0', '--install', echoWasm!], { cwd: packed.app, env: npxEnv });
    const gateway = { current: undefined as ReturnType<typeof startLineProcess> | undefined };
    try {
      const ready = JSON.parse(await devnet.line((l) => l.startsWith('{'))) as { url: string; canisters: Record<string, string> };
      const canisterId = ready.canisters['echo.wasm']!;
      gateway.current = startLineProcess(
        'npx',
        ['ic-ws-gateway', '--listen', '127.0.0.1:0', '--admin-listen', '', '--ic-url', ready.url, '--polling-interval', '20', '--identity-file', join(packed.work, 'gateway.pem')],
        { cwd: packed.app, env: npxEnv },
      );
      const listening = JSON.parse(await gateway.current.line((l) => l.includes('listening on'))) as { url: string; pid: number };
      const session = startLineProcess('node', ['session-until-close.mjs', listening.url, canisterId, ready.url], { cwd: packed.app });
      await session.line((l) => l.includes('"open":true'), 60_000);

      const agent = await HttpAgent.create({ host: ready.url, shouldFetchRootKey: true });
      const echo = Actor.createActor<{ client_count: () => Promise<number> }>(
        ({ IDL: idl }) => idl.Service({ client_count: idl.Func([], [idl.Nat32], ['query']) }),
        { agent, canisterId },
      );
      expect(await echo.client_count()).toBe(1);
      // npx runs the gateway under `sh -c`; the signal goes to npx (npm) alone, as `kill -TERM <pid>` would.
      const gatewayProcesses = processesMatching(packed.app, 'ic-ws-gateway', 'node');
      expect(gatewayProcesses).toContain(listening.pid);
      process.kill(gateway.current.child.pid!, 'SIGTERM');

      const closed = JSON.parse(await session.line((l) => l.includes('closeCode'), 30_000)) as { closeCode: number };
      expect(closed.closeCode).toBe(1001);
      await expect.poll(() => echo.client_count(), { timeout: 15_000 }).toBe(0);
      await expect.poll(() => processesMatching(packed.app, 'ic-ws-gateway', 'node'), { timeout: 15_000 }).toEqual([]);

      const devnetProcesses = processesMatching(packed.app, 'ic-ws-devnet', 'node');
      expect(devnetProcesses.length).toBeGreaterThan(0);
      process.kill(devnet.child.pid!, 'SIGTERM');
      await expect.poll(() => processesMatching(packed.app, 'ic-ws-devnet', 'node'), { timeout: 15_000 }).toEqual([]);
      await expect(fetch(`${ready.url}/api/v2/status`)).rejects.toThrow();
    } finally {
      gateway.current?.child.kill('SIGKILL');
      devnet.child.kill('SIGKILL');
      for (const pid of [...processesMatching(packed.app, 'ic-ws-gateway'), ...processesMatching(packed.app, 'ic-ws-devnet')]) process.kill(pid, 'SIGKILL');
    }
  });
});
