/**
 * ic-ws-protocol's own CBOR decoder (src/cbor/cbor-reader.ts) side by side with cborg, the general library it
 * replaced for decoding, on the items the stack decodes: a client request frame (signed envelope, 1 KiB
 * argument; the gateway decodes one per relayed message), a canister message frame (1 KiB message, 1.3 kB
 * certificate and witness; the client decodes one per message) and a certificate-shaped map decoded canonically.
 * Both sides decode the same bytes into the same values (cborg with the options the package used), in
 * interleaved rounds; the ratio (ours / cborg, time per decode) is printed as min/median/max over the rounds.
 * Run: `npx tsx bench/cbor-decoder.bench.ts` (from packages/protocol).
 */
import { Principal } from '@dfinity/principal';
import { decode, type DecodeOptions } from 'cborg';
import { measure, report, spread } from '../../../scripts/bench-kit';
import { cborEncode } from '../src/cbor/cbor';
import { cborDecode } from '../src/cbor/cbor-reader';
import { encodeCanisterMessageFrame, encodeClientRequestFrame } from '../src/cbor/frames';

const ROUNDS = 11;
const tags: DecodeOptions['tags'] = [];
tags[55799] = (inner: unknown) => inner;
const cborgOptions: DecodeOptions = { useMaps: true, rejectDuplicateMapKeys: true, allowUndefined: false, allowInfinity: false, allowNaN: false, allowBigInt: true, tags };
const cborgCanonical: DecodeOptions = { ...cborgOptions, strict: true, allowIndefinite: false };

const principal = Principal.fromUint8Array(new Uint8Array(29).fill(0x5a));
const inputs: [string, Uint8Array, boolean][] = [
  [
    'client request frame (1 KiB arg)',
    encodeClientRequestFrame({
      envelope: {
        content: { request_type: 'call', canister_id: principal, method_name: 'ws_message', arg: new Uint8Array(1024).fill(7), sender: principal, ingress_expiry: 1_700_000_000_000_000_000n, nonce: new Uint8Array(16) },
        sender_pubkey: new Uint8Array(44),
        sender_sig: new Uint8Array(64),
      },
    }),
    false,
  ],
  ['canister message frame (1 KiB)', encodeCanisterMessageFrame({ key: 'aaaaa-aa_00000000000000000001', content: new Uint8Array(1100), cert: new Uint8Array(1200), tree: new Uint8Array(200) }), false],
  [
    'certificate-shaped, canonical',
    cborEncode(
      { tree: [1, [2, new Uint8Array(6), [3, new Uint8Array(32)]], [1, [4, new Uint8Array(32)], [2, new Uint8Array(4), [3, new Uint8Array(8)]]]], signature: new Uint8Array(48), delegation: { subnet_id: new Uint8Array(29), certificate: new Uint8Array(800) } },
      { selfDescribe: true },
    ),
    true,
  ],
];

const rows: Record<string, unknown>[] = [];
let sink = 0;
for (const [label, bytes, canonical] of inputs) {
  const ratios: number[] = [];
  let ours = 0;
  let theirs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first.
    const runOurs = () => measure(() => (sink += cborDecode(bytes, { canonical }) === null ? 0 : 1), { minTimeMs: 200 }).medianUs;
    const runCborg = () => measure(() => (sink += decode(bytes, canonical ? cborgCanonical : cborgOptions) === null ? 0 : 1), { minTimeMs: 200 }).medianUs;
    if (round % 2 === 0) {
      ours = runOurs();
      theirs = runCborg();
    } else {
      theirs = runCborg();
      ours = runOurs();
    }
    ratios.push(ours / theirs);
  }
  const ratio = spread(ratios);
  rows.push({ input: label, bytes: bytes.length, oursUs: Number(ours.toFixed(2)), cborgUs: Number(theirs.toFixed(2)), ratioMin: Number(ratio.min.toFixed(2)), ratioMedian: Number(ratio.median.toFixed(2)), ratioMax: Number(ratio.max.toFixed(2)) });
}
report('cbor-decoder', rows, { sink, rounds: ROUNDS, ratio: 'ours / cborg, time per decode (below 1: ours is faster)' });
