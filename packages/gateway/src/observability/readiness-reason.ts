/**
 * `/readyz` answers with one line of reason. Errors from @dfinity/agent carry whole stack traces (with the
 * absolute paths of the install) in their messages, and the useful part ("connect ECONNREFUSED
 * 127.0.0.1:4943") in a nested cause; this keeps the first line of the outer message and appends the
 * innermost error's first line.
 */

const MAX_LENGTH = 300;
const MAX_DEPTH = 8;

/** One line (no stack, at most 300 characters) saying why a check failed. */
export function readinessReason(error: unknown): string {
  const outer = firstLine(error instanceof Error ? error.message : String(error));
  const inner = innermostError(error, 0);
  const innerText = inner === undefined || inner === error ? '' : firstLine(inner.message);
  const text = innerText === '' || outer.includes(innerText) ? outer : `${outer} (${innerText})`;
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

function firstLine(text: string): string {
  return (text.split('\n', 1)[0] ?? '').trim();
}

/** The deepest `Error` reachable through `cause`, or `error` fields of nested error objects (the agent's shape). */
function innermostError(value: unknown, depth: number): Error | undefined {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return undefined;
  const record = value as { cause?: unknown; error?: unknown; code?: unknown };
  for (const next of [record.cause, record.error, record.code]) {
    const found = innermostError(next, depth + 1);
    if (found !== undefined) return found;
  }
  return value instanceof Error ? value : undefined;
}
