import { readFileSync } from 'node:fs';

/** Descriptors kept for everything but client sockets: listeners, IC connections, logs, the journal. */
export const RESERVED_DESCRIPTORS = 128;

/**
 * The process's soft limit on open file descriptors (`ulimit -n`), read from `/proc/self/limits`; `null`
 * where that file does not exist (not Linux) or says "unlimited".
 */
export function openFilesLimit(limitsText: string | null = readProcLimits()): number | null {
  const line = limitsText?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : null;
}

/**
 * The number of client sockets the gateway may hold: `maxConnections`, or fewer when the descriptor limit
 * leaves less room. Past the limit, accepting would fail for every new client (EMFILE) while silent
 * sockets hold the descriptors; below it, the oldest silent socket makes way (see the listener).
 */
export function connectionCap(maxConnections: number, descriptors: number | null = openFilesLimit()): number {
  if (descriptors === null) return maxConnections;
  return Math.max(1, Math.min(maxConnections, descriptors - RESERVED_DESCRIPTORS));
}

function readProcLimits(): string | null {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    // Not Linux (or /proc not mounted): the limit is unknown, and maxConnections applies as given.
    return null;
  }
}
