/**
 * The subnet's message queue. Canister executions are synchronous wasm calls, so running queued tasks one
 * after another from a single loop serializes every canister's executions; a task enqueued while the loop
 * runs (a response, a call made by a canister, an ingress message submitted from a listener) is picked up
 * by the same loop instead of starting a nested one.
 */
export class CallQueue<Task> {
  private tasks: Task[] = [];
  private head = 0;
  private draining = false;

  constructor(private readonly run: (task: Task) => void) {}

  /** Number of tasks waiting. */
  get size(): number {
    return this.tasks.length - this.head;
  }

  push(task: Task): void {
    this.tasks.push(task);
  }

  /** Runs tasks until none is left; returns false (doing nothing) when called from inside a running task. */
  drain(): boolean {
    if (this.draining) return false;
    this.draining = true;
    try {
      while (this.head < this.tasks.length) {
        const task = this.tasks[this.head]!;
        this.head++;
        this.run(task);
      }
    } finally {
      this.tasks = this.tasks.slice(this.head);
      this.head = 0;
      this.draining = false;
    }
    return true;
  }
}
