/**
 * The script `buildAzleCanister` runs (under tsx) instead of azle's bin. azle bundles canisters with esbuild
 * and `preserveSymlinks`, so under pnpm's isolated node_modules esbuild cannot find azle's own dependencies
 * (uuid, @sinonjs/text-encoding, ...). The script registers a module hook that hands azle an esbuild whose
 * `build()` adds azle's real node_modules folder to `nodePaths`, then runs azle's CLI unchanged.
 * Inputs come from the environment: IC_WS_AZLE_DIR (azle's real package folder) and IC_WS_AZLE_ARGS (JSON).
 */
export const AZLE_RUNNER_SCRIPT = String.raw`
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const azleDir = process.env.IC_WS_AZLE_DIR;
const requireFromAzle = createRequire(join(azleDir, 'package.json'));
const esbuildUrl = pathToFileURL(requireFromAzle.resolve('esbuild')).href;
const azleNodeModules = dirname(azleDir);
const shim = [
  'import esbuild from ' + JSON.stringify(esbuildUrl) + ';',
  'export * from ' + JSON.stringify(esbuildUrl) + ';',
  'export function build(options) {',
  '  return esbuild.build({ ...options, nodePaths: [...(options.nodePaths ?? []), ' + JSON.stringify(azleNodeModules) + '] });',
  '}',
].join('\n');
const shimUrl = 'data:text/javascript,' + encodeURIComponent(shim);
const hooks = [
  'export async function resolve(specifier, context, next) {',
  '  if (specifier === "esbuild" && (context.parentURL ?? "").startsWith(' + JSON.stringify(pathToFileURL(azleDir).href) + ')) {',
  '    return { url: ' + JSON.stringify(shimUrl) + ', shortCircuit: true };',
  '  }',
  '  return next(specifier, context);',
  '}',
].join('\n');
register('data:text/javascript,' + encodeURIComponent(hooks));
process.argv = [process.argv[0], 'azle', ...JSON.parse(process.env.IC_WS_AZLE_ARGS)];
await import(pathToFileURL(join(azleDir, 'src', 'build.ts')).href);
`;
