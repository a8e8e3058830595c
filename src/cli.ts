#!/usr/bin/env node
import { main } from './cli/main';

function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
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
