#!/usr/bin/env node
import { spawn } from 'child_process';
import { main } from './cli/main';

// Node 20 can deadlock at exit while a background (concurrent) JIT compile job is still running
// (nodejs/node#54918: the main thread waits in NodePlatform::DrainTasks forever, all output
// written). The flag that avoids it only counts at start-up, so the command runs itself again
// with it; a short-lived command loses nothing by optimizing on the main thread.
const SAFE_FLAG = '--no-concurrent-recompilation';

function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

if (!process.execArgv.includes(SAFE_FLAG)) {
  const child = spawn(process.execPath, [...process.execArgv, SAFE_FLAG, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, AMR_CLI_CHILD: '1' },
  });
  // A signal sent to this process (a CI runner stopping `sync --watch`) reaches the command itself.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1)));
} else {
  // The command runs as the child of the process the user or CI started; when that one dies without
  // passing a signal on (SIGKILL), the command dies with it at once, writing nothing more (a batch of
  // track half read, a sync --watch or serve that nobody can stop).
  const parent = process.ppid;
  if (parent > 1 && process.env.AMR_CLI_CHILD === '1') {
    setInterval(() => process.ppid !== parent && process.kill(process.pid, 'SIGKILL'), 100).unref();
  }
  main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text + '\n'),
    err: (text) => process.stderr.write(text + '\n'),
    stdin: readStdin,
    cwd: process.cwd(),
  }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`adaptive-routing: ${(error as Error)?.message ?? String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
