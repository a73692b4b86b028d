#!/usr/bin/env node
// Launcher kept outside dist/ so package managers can link the bin before the package is built.
//
// `npx ic-ws-gateway` (and `npm run`, `pnpm exec`, ...) run this file under `sh -c`, and a SIGTERM to the
// package manager reaches only that shell: the gateway would live on
// as an orphan, without draining. So when the process that started us goes away, we take it as SIGTERM:
// sessions are closed with 1001, each gets its ws_close, then the process exits.
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
