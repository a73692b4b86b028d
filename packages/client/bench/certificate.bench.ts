/**
 * Certificate verification, the WebAssembly verifier (what ic-ws-client uses by default) against today's
 * @noble/curves path (agent-js's own `blsVerify`), on the same certificates, through the client's real path
 * (`CertificateVerifier.certifiedData`: CBOR decoding, tree hashing, time and delegation checks, the BLS
 * check). Each certificate is new to the verifier (no cache hit), as a new poll's certificate is.
 * Each side runs in a process of its own (bench/support/certificate-side.ts), so neither pays for the other's
 * garbage (noble's BigInt arithmetic leaves megabytes of it), JIT or background threads. This process makes
 * the certificates before any clock starts and hands them out: in each round both sides verify the same
 * certificates, one side's block after the other's (which side goes first alternates by round), so the two
 * interleave over the run while neither has its caches flushed by the other before every certificate (as a
 * client is not: between two certificates, nothing else evicts them). Printed per round and as
 * min / median / max: the ratio noble / wasm of the median wall-clock time per certificate, and of the median
 * CPU time per certificate (each process's own, which does not count waiting for a core on a machine shared
 * with other work).
 * Target: >= 5.
 *
 *   npx tsx bench/certificate.bench.ts [--rounds 7] [--certificates 12]
 *
 * Rows: `root` certificates are signed by the root key directly (the devnet, local replicas); `delegated`
 * certificates carry a subnet delegation, as mainnet's do (two BLS signatures; the client verifies the
 * delegation's once and remembers it, the noble side, as the client before, verifies it in every certificate).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { report } from '../../../scripts/bench-kit';
import { SIDES, canisterId, certificates, comparisonRow, median, root, type CertificateKind, type Side } from './support/certificate-comparison';
import type { SideReply, SideRequest } from './support/certificate-side';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, certificates: { type: 'string', default: '12' } } });
const ROUNDS = Math.max(5, Number(values.rounds));
const CERTIFICATES = Math.max(2, Number(values.certificates));

/** A side process and a way to ask it one thing at a time. */
class SideProcess {
  readonly #child: ChildProcess;
  #pending: ((reply: SideReply) => void) | undefined;

  constructor(readonly side: Side) {
    this.#child = fork(fileURLToPath(new URL('./support/certificate-side.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
    });
    this.#child.on('message', (reply: SideReply) => this.#pending?.(reply));
  }

  async ask(request: SideRequest): Promise<SideReply> {
    const reply = await new Promise<SideReply>((resolve) => {
      this.#pending = resolve;
      this.#child.send(request);
    });
    if (reply.type === 'failed') throw new Error(`${this.side}: ${reply.error}`);
    return reply;
  }

  async verify(certificate: Uint8Array): Promise<{ wallMs: number; cpuMs: number }> {
    const reply = await this.ask({ type: 'verify', certificate });
    if (reply.type !== 'verified') throw new Error(`${this.side}: unexpected reply ${reply.type}`);
    return reply;
  }

  close(): void {
    this.#child.kill();
  }
}

const processes = { noble: new SideProcess('noble'), wasm: new SideProcess('wasm') };
const ready: Record<Side, SideReply> = {
  // The noble side is the client as it was: agent-js's verification, a delegation checked in every certificate.
  noble: await processes.noble.ask({ type: 'init', side: 'noble', rootKey: root.rootKey, canisterId: canisterId.toText(), rememberSignatures: false }),
  wasm: await processes.wasm.ask({ type: 'init', side: 'wasm', rootKey: root.rootKey, canisterId: canisterId.toText(), rememberSignatures: true }),
};
if (ready.wasm.type !== 'ready' || ready.wasm.kind !== 'wasm') throw new Error('the wasm side did not load the WebAssembly verifier');
const wasmLoadMs = ready.wasm.loadMs;

async function compare(kind: CertificateKind) {
  // Warm-up: JIT, the wasm side's key lines, the delegation memo.
  for (const cert of certificates(kind, 3)) for (const side of SIDES) await processes[side].verify(cert);
  const all = { noble: [] as number[], wasm: [] as number[] };
  const wallRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const wall = { noble: [] as number[], wasm: [] as number[] };
    const cpu = { noble: [] as number[], wasm: [] as number[] };
    const certs = certificates(kind, CERTIFICATES);
    for (const side of round % 2 === 0 ? SIDES : ([...SIDES].reverse() as Side[])) {
      for (const cert of certs) {
        const sample = await processes[side].verify(cert);
        wall[side].push(sample.wallMs);
        cpu[side].push(sample.cpuMs);
      }
    }
    const wallRatio = median(wall.noble) / median(wall.wasm);
    const cpuRatio = median(cpu.noble) / median(cpu.wasm);
    wallRatios.push(wallRatio);
    cpuRatios.push(cpuRatio);
    all.noble.push(...wall.noble);
    all.wasm.push(...wall.wasm);
    console.log(
      `${kind} round ${round + 1}/${ROUNDS}: median per certificate noble ${median(wall.noble).toFixed(2)} ms, wasm ${median(wall.wasm).toFixed(2)} ms ` +
        `(ratio ${wallRatio.toFixed(2)}); median CPU time per certificate noble ${median(cpu.noble).toFixed(2)} ms, wasm ${median(cpu.wasm).toFixed(2)} ms (ratio ${cpuRatio.toFixed(2)})`,
    );
  }
  return { wallRatios, cpuRatios, row: comparisonRow(kind, all, wallRatios, cpuRatios) };
}

/** The sizes of what `auto` loads on demand: mcl-wasm's loader with the WebAssembly inside it, base64-encoded. */
function wasmSizes(): Record<string, number> {
  const file = createRequire(import.meta.url).resolve('mcl-wasm/dist/mcl_c.js');
  const loader = readFileSync(file);
  const wasmBytes = Buffer.from(/wasmBase64 = '([^']+)'/.exec(loader.toString('latin1'))![1]!, 'base64');
  return {
    wasmBytes: wasmBytes.length,
    wasmGzipBytes: gzipSync(wasmBytes).length,
    loaderWithEmbeddedWasmBytes: loader.length,
    loaderWithEmbeddedWasmGzipBytes: gzipSync(loader).length,
  };
}

const rootResult = await compare('root');
const delegatedResult = await compare('delegated');
const sizes = wasmSizes();
processes.noble.close();
processes.wasm.close();
report('client-certificate-verify', [rootResult.row, delegatedResult.row], {
  rounds: ROUNDS,
  certificatesPerRound: CERTIFICATES,
  wallRatios: { root: rootResult.wallRatios, delegated: delegatedResult.wallRatios },
  cpuRatios: { root: rootResult.cpuRatios, delegated: delegatedResult.cpuRatios },
  target: 5,
  wasmLoadMs: Number(wasmLoadMs.toFixed(1)),
  sidesInSeparateProcesses: true,
  ...sizes,
});
console.log(
  `WebAssembly verifier: ${sizes.wasmBytes} bytes of wasm (${sizes.wasmGzipBytes} gzipped), shipped base64-embedded in a ` +
    `${sizes.loaderWithEmbeddedWasmBytes}-byte loader (${sizes.loaderWithEmbeddedWasmGzipBytes} gzipped); first load ${wasmLoadMs.toFixed(0)} ms`,
);
for (const { row } of [rootResult, delegatedResult]) {
  console.log(
    `ratio noble/wasm, ${row.certificates} certificates: wall clock min ${row.ratioMin} median ${row.ratioMedian} max ${row.ratioMax}; ` +
      `CPU time min ${row.cpuRatioMin} median ${row.cpuRatioMedian} max ${row.cpuRatioMax} (target >= 5)`,
  );
}
