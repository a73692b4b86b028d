import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

/**
 * The gateway's default logger: pino JSON on stdout, or pino-pretty when stdout is a terminal and
 * pino-pretty is installed (it is an optional, development-time nicety, never required).
 */
export function createLogger(level: string): Logger {
  const base = { name: 'ic-ws-gateway', level };
  if (!process.stdout.isTTY) return pino(base);
  const prettyTarget = resolvePinoPretty();
  if (prettyTarget === null) return pino(base);
  return pino(base, pino.transport({ target: prettyTarget, options: { colorize: true } }));
}

function resolvePinoPretty(): string | null {
  for (const base of [import.meta.url, `${process.cwd()}/`]) {
    try {
      return createRequire(base).resolve('pino-pretty');
    } catch {
      // Not installed next to the gateway (or `import.meta.url` is missing in the CJS build): try the next place.
    }
  }
  return null;
}
