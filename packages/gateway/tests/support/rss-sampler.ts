import { readFileSync } from 'node:fs';

/** Resident set size of process `pid` in bytes (Linux `/proc/<pid>/status`). */
export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples a process's RSS every `intervalMs` while running, keeping the peak. */
export class RssSampler {
  peak = 0;
  samples = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly pid: number,
    intervalMs = 10,
  ) {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    return this.peak;
  }

  #sample(): void {
    this.peak = Math.max(this.peak, rssOf(this.pid));
    this.samples += 1;
  }
}

/** `bytes` as MiB with one decimal, for printed figures. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
