/**
 * Loads a project's frontend module (`--frontend <module>`) and starts it with the dev config.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, IcWsError } from 'ic-ws-protocol';
import type { FrontendContext, RunningFrontend, StartFrontend } from './dev-options';

/** Imports `<projectDir>/<module>` and calls its `startFrontend` export. */
export async function startFrontendModule(module: string, context: FrontendContext): Promise<RunningFrontend> {
  const path = resolve(context.projectDir, module);
  if (!existsSync(path)) throw new IcWsError(ErrorCode.InvalidOptions, `--frontend: ${path} does not exist`);
  const exports = (await import(pathToFileURL(path).href)) as { startFrontend?: unknown };
  if (typeof exports.startFrontend !== 'function') {
    throw new IcWsError(ErrorCode.InvalidOptions, `--frontend: ${module} must export a function startFrontend({ host, port, config })`);
  }
  const running = await (exports.startFrontend as StartFrontend)(context);
  if (typeof running?.url !== 'string' || typeof running.close !== 'function') {
    throw new IcWsError(ErrorCode.InvalidOptions, `--frontend: ${module}'s startFrontend must resolve to { url, close() }`);
  }
  return running;
}
