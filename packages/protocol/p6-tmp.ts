import { CertifiedMap } from './src/hash-tree/certified-map';
import { sha256 } from '@noble/hashes/sha256';
const G = 'i3gux-m3hwt-5mh2w-t7wwm-fwx5j-6z6ht-hxguo-t4rfw-qp24z-g5ivt-2qe';
const keyOf = (n: number) => `${G}_${String(n).padStart(20, '0')}`;
const v = sha256(new Uint8Array(1));
const n = Number(process.argv[2]);
const map = new CertifiedMap();
for (let i = 0; i < n; i++) map.set(keyOf(i), v);
map.rootHash();
let seed = 1;
const r = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
const t0 = performance.now();
const N = 30000;
for (let i = 0; i < N; i++) { const k = keyOf(r()); map.delete(k); map.rootHash(); map.set(k, v); map.rootHash(); }
console.log(n, ((performance.now() - t0) / N / 2 * 1000).toFixed(1), 'us/op');
