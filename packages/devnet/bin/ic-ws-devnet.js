#!/usr/bin/env node
// Launcher kept outside dist/ so package managers can link the bin before the package is built.
//
// `npx ic-ws-devnet` (and `npm run`, `pnpm exec`, ...) run this file under `sh -c`, and a SIGTERM to the
// package manager reaches only that shell: the devnet would live on
// as an orphan holding its port. So when the process that started us goes away, we take it as SIGTERM and
// stop.
// Only when a package manager started us (it sets npm_command), or when asked (IC_WS_EXIT_WITH_PARENT=1):
// started from a shell with nohup or setsid, the process is meant to outlive its parent.
if (process.env.npm_command !== undefined || process.env.IC_WS_EXIT_WITH_PARENT === '1') {
  const launcher = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 200);
  watch.unref();
}
await import('../dist/cli.js');
