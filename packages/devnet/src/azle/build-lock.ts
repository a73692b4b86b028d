/**
 * A cross-process lock (an exclusively created folder) so that two processes building the same canister
 * (parallel test workers) do not write azle's shared output folder at the same time.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';

/** A lock older than this is considered left behind by a crashed build. */
const STALE_MS = 10 * 60_000;
const POLL_MS = 250;
const WAIT_MS = 5 * 60_000;

/** Runs `task` while holding the lock folder `path`. */
export async function withBuildLock<T>(path: string, task: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(path);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > STALE_MS) await rm(path, { recursive: true, force: true });
      else if (Date.now() - started > WAIT_MS) {
        throw new IcWsError(ErrorCode.AzleBuildFailed, `timed out waiting for the build lock ${path}`);
      } else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  try {
    return await task();
  } finally {
    await rm(path, { recursive: true, force: true });
  }
}
