/**
 * Rewrites src/sha256-compress.ts from its marker line on with what scripts/sha256-compress-source.ts generates,
 * keeping the hand-written comment above the marker.
 *
 *   pnpm --filter ic-ws-canister exec tsx scripts/write-sha256-compress.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_MARKER, sha256CompressSource } from './sha256-compress-source';

const file = fileURLToPath(new URL('../src/sha256-compress.ts', import.meta.url));
const current = readFileSync(file, 'utf8');
const at = current.indexOf(GENERATED_MARKER);
if (at < 0) throw new Error(`${file} has no line "${GENERATED_MARKER}": put it where the generated code starts`);
writeFileSync(file, current.slice(0, at) + sha256CompressSource());
console.log(`wrote ${file}`);
