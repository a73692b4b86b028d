/**
 * The measuring side of bench/certificate-stages.bench.ts, run as it is in Node (certificate-stages-node.ts)
 * and bundled into a Chromium page: where one certificate's verification spends its time with the
 * WebAssembly verifier, step by step, beside @noble/curves' whole BLS check. First of all, while the engine
 * still runs the WebAssembly with its baseline compiler, the cold start: the first verifications after load.
 */
import { Cbor, Certificate } from '@dfinity/agent';
import { Principal } from '@dfinity/principal';
import { decodeCertificate, reconstruct } from 'ic-ws-protocol';
import { nobleBlsVerifier } from '../../src/verifier/bls/bls-verifier';
import { G1_SIZE, G2_SIZE, GT_SIZE, instantiateIcMcl, McLBlsVerifier } from '../../src/verifier/bls/mcl-bls-verifier';
import { CertificateVerifier } from '../../src/verifier/certificate-verifier';

/** What the bench hands over (hex, so that it crosses into a page as it is). */
export interface StagesInput {
  rootKeyHex: string;
  canisterId: string;
  /** Root-signed certificates, each new to the verifier: `rounds` batches of `certificatesHex.length / rounds`. */
  certificatesHex: string[];
  rounds: number;
  /** How many verifications after load the cold start follows. */
  coldVerifications: number;
}

/** Each stage's time per call in ms, one value per round, and the cold start's time per verification. */
export interface StagesResult {
  stages: Record<string, number[]>;
  coldStartMs: number[];
  loadMs: number;
}

/**
 * Steps below the browser's timer resolution (0.1 ms) run this many times per sample (their mean is the
 * sample); mcl's steps, 0.2-2 ms each, are timed call by call, this many calls per round.
 */
const REPEAT = { cbor: 50, agent: 20, wasm: 5 } as const;
const DOMAIN = new TextEncoder().encode('\x0Dic-state-root');

const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));

/** `run` `times` times; ms per call. */
function perCall(times: number, run: () => unknown): number {
  const t0 = performance.now();
  for (let i = 0; i < times; i++) run();
  return (performance.now() - t0) / times;
}

export async function measureStages(input: StagesInput): Promise<StagesResult> {
  const rootKey = fromHex(input.rootKeyHex);
  const publicKey = rootKey.subarray(-96);
  const canisterId = Principal.fromText(input.canisterId);
  const certificates = input.certificatesHex.map(fromHex);
  const signed = certificates.map((certificate) => {
    const { tree, signature } = Cbor.decode<{ tree: Parameters<typeof reconstruct>[0]; signature: Uint8Array }>(certificate);
    return { signature, message: Uint8Array.from([...DOMAIN, ...reconstruct(tree)]) };
  });

  // Cold start: the client's own verifier, loaded now (with its warm-up), then one verification after another.
  const t0 = performance.now();
  const verifier = await McLBlsVerifier.create();
  const loadMs = performance.now() - t0;
  const coldStartMs: number[] = [];
  for (let i = 0; i < input.coldVerifications; i++) {
    const { signature, message } = signed[i % signed.length]!;
    coldStartMs.push(perCall(1, () => verifier.verify(publicKey, signature, message)));
  }

  // mcl's steps, on an instance of its own configured as the verifier's is.
  const mcl = await instantiateIcMcl();
  const point = mcl._malloc(G1_SIZE);
  const hash = mcl._malloc(G1_SIZE);
  const key = mcl._malloc(G2_SIZE);
  const pairing = mcl._malloc(GT_SIZE);
  const bytes = mcl._malloc(256);
  const heap = () => new Uint8Array(mcl.wasmMemory.buffer);
  heap().set(publicKey, bytes);
  if (mcl._mclBnG2_deserialize(key, bytes, publicKey.length) !== publicKey.length) throw new Error('mcl refused the root key');
  const lines = mcl._malloc(mcl._mclBn_getUint64NumToPrecompute() * 8);
  mcl._mclBn_precomputeG2(lines, key);

  // noble computes its tables on first use: a few calls first, so its figure is its steady one, as mcl's is.
  for (let i = 0; i < 3; i++) nobleBlsVerifier.verify(publicKey, signed[i % signed.length]!.signature, signed[i % signed.length]!.message);
  const certificateVerifier = new CertificateVerifier({ rootKey, canisterId, maxAgeMs: 3_600_000, bls: verifier, cacheSize: 1 });
  const perRound = Math.max(1, Math.floor(certificates.length / input.rounds));
  const stages: Record<string, number[]> = {};
  const record = (stage: string, ms: number) => (stages[stage] ??= []).push(ms);
  /** Times each of `REPEAT.wasm` calls of `run` on its own (a median over single calls shrugs off preemption). */
  const recordCalls = (stage: string, run: () => unknown) => {
    for (let i = 0; i < REPEAT.wasm; i++) record(stage, perCall(1, run));
  };
  for (let round = 0; round < input.rounds; round++) {
    const batch = certificates.slice(round * perRound, (round + 1) * perRound);
    const { signature, message } = signed[round * perRound]!;
    const certificate = batch[0]!;
    record('strict CBOR decoding (ic-ws-protocol)', perCall(REPEAT.cbor, () => decodeCertificate(certificate)));
    let agentMs = 0;
    for (let i = 0; i < REPEAT.agent; i++) {
      const t = performance.now();
      await Certificate.create({ certificate, rootKey, canisterId, maxAgeInMinutes: 60, blsVerify: () => true });
      agentMs += performance.now() - t;
    }
    record('agent-js Certificate.create without the BLS check', agentMs / REPEAT.agent);
    heap().set(signature, bytes);
    recordCalls('signature decoding + subgroup check (mcl)', () => mcl._mclBnG1_deserialize(point, bytes, signature.length));
    heap().set(message, bytes);
    recordCalls('hash to G1, RFC 9380 (mcl)', () => mcl._mclBnG1_hashAndMapTo(hash, bytes, message.length));
    recordCalls('Miller loop, 2 pairs, precomputed lines (mcl)', () => mcl._mclBn_precomputedMillerLoop2(pairing, point, lines, hash, lines));
    recordCalls('final exponentiation (mcl)', () => mcl._mclBn_finalExp(pairing, pairing));
    recordCalls('whole BLS check, WebAssembly (McLBlsVerifier.verify)', () => verifier.verify(publicKey, signature, message));
    for (const each of batch) {
      const t = performance.now();
      await certificateVerifier.certifiedData(each);
      record('whole certificate, WebAssembly (CertificateVerifier.certifiedData)', performance.now() - t);
    }
    record('whole BLS check, @noble/curves (agent-js blsVerify)', perCall(1, () => nobleBlsVerifier.verify(publicKey, signature, message)));
  }
  for (const pointer of [point, hash, key, pairing, bytes, lines]) mcl._free(pointer);
  return { stages, coldStartMs, loadMs };
}

declare global {
  interface Window {
    measureStages?: typeof measureStages;
  }
}
if (typeof window !== 'undefined') window.measureStages = measureStages;
