/**
 * One pack for the whole run: every published package is built and packed once, here, and the test files
 * install from the same tarballs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packPublished } from './support/pack-packages';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Tarball path by package name. */
    tarballs: Record<string, string>;
    /** npm's cache for this run's installs (fresh each run: no other run's npx installs or half-written entries). */
    npmCache: string;
  }
}

let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'ic-ws-packed-'));
  project.provide('tarballs', await packPublished(dir));
  project.provide('npmCache', join(dir, 'npm-cache'));
}

export async function teardown(): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}
