/**
 * WebsocketMessage CBOR encode/decode throughput at three content sizes, plus the canister message frame
 * round trip the client does per message. Run: `npx tsx bench/cbor.bench.ts` (from packages/protocol).
 */
import { Principal } from '@dfinity/principal';
import { measure, report } from '../../../scripts/bench-kit';
import { decodeCanisterMessageFrame, encodeCanisterMessageFrame } from '../src/cbor/frames';
import { decodeWebsocketMessage, encodeWebsocketMessage } from '../src/cbor/websocket-message';
import type { WebsocketMessage } from '../src/candid/types';

const sizes = [
  ['32 B', 32],
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
] as const;

function message(contentBytes: number): WebsocketMessage {
  return {
    client_key: { client_principal: Principal.fromUint8Array(new Uint8Array(29).fill(0x5a)), client_nonce: 0x1234_5678_9abc_def0n },
    sequence_num: 1_000n,
    timestamp: 1_700_000_000_000_000_000n,
    is_service_message: false,
    content: new Uint8Array(contentBytes).fill(0xab),
  };
}

const rows: Record<string, unknown>[] = [];
let sink = 0;
for (const [label, bytes] of sizes) {
  const msg = message(bytes);
  const encoded = encodeWebsocketMessage(msg);
  const frame = encodeCanisterMessageFrame({ key: 'aaaaa-aa_00000000000000000001', content: encoded, cert: new Uint8Array(1200), tree: new Uint8Array(200) });
  const batch = bytes >= 65536 ? 10 : 100;
  const cases = [
    ['encodeWebsocketMessage', () => (sink += encodeWebsocketMessage(msg).length)],
    ['decodeWebsocketMessage', () => (sink += decodeWebsocketMessage(encoded).content.length)],
    ['decodeCanisterMessageFrame', () => (sink += decodeCanisterMessageFrame(frame).content.length)],
  ] as const;
  for (const [op, fn] of cases) {
    const m = measure(fn, { minTimeMs: 500, batch });
    rows.push({
      op,
      content: label,
      bytes: op === 'decodeCanisterMessageFrame' ? frame.length : encoded.length,
      opsPerSec: Math.round(m.opsPerSec),
      meanUs: Number(m.meanUs.toFixed(2)),
      p99Us: Number(m.p99Us.toFixed(2)),
      MBps: Number(((m.opsPerSec * encoded.length) / 1e6).toFixed(1)),
    });
  }
}
report('cbor', rows, { sink });
