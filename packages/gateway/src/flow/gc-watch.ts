import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

/** Which garbage collections ran: scavenges free young buffers, full collections everything. */
export type CollectionKind = 'minor' | 'major';

/**
 * Calls `collected` after every garbage collection that frees memory (scavenges and full collections), so
 * byte budgets can count dropped buffers until they are really gone. Returns a function that stops watching.
 */
export function watchGarbageCollections(collected: (kind: CollectionKind) => void): () => void {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) collected('major');
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) collected('minor');
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
