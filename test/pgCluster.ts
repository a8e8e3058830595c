// A throwaway PostgreSQL cluster for tests (Debian's postgresql package): initdb in a temporary
// folder, 127.0.0.1 on a free port, run as the postgres user (initdb refuses root), stopped and
// removed afterwards, also when a test fails. See ../shared/notes/postgresql-testing.md.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface PgCluster {
  url: string;
  port: number;
  /** Stops the server at once (a crash), or cleanly; start() brings it back on the same port. */
  stop(mode?: 'immediate' | 'fast'): void;
  start(): void;
  /** Replaces pg_hba.conf (who may connect, and how) and reloads the server. */
  allow(hba: string): void;
  /** Turns TLS on with a new self-signed certificate for 127.0.0.1 (it then applies pg_hba's hostssl lines); returns the certificate (PEM), its own CA. */
  enableTls(): string;
  /** Runs SQL as the postgres superuser over the cluster's Unix socket. */
  psql(sql: string): string;
  /** Stops and removes everything. */
  destroy(): void;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const version = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  if (!version) throw new Error("PostgreSQL is not installed: run scripts/setup-test-tools.sh (it installs Debian's postgresql package)");
  return path.join(root, version, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL program as the postgres user when we are root (it refuses to run as root). */
function asPostgres(program: string, args: string[]): string {
  const bin = path.join(binDir(), program);
  // Output kept (notices too): a failure throws with it, a success stays quiet.
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  const out = process.getuid?.() === 0 ? execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio }) : execFileSync(bin, args, { stdio });
  return out.toString();
}

const live = new Set<PgCluster>();
process.on('exit', () => {
  for (const cluster of live) cluster.destroy();
});

export async function startPgCluster(): Promise<PgCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'amr-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const port = await freePort();
  const data = path.join(dir, 'data');
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const start = () =>
    asPostgres('pg_ctl', ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', path.join(dir, 'log'), 'start', '-w']);
  start();
  let running = true;
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop(mode = 'fast') {
      if (!running) return;
      asPostgres('pg_ctl', ['-D', data, '-m', mode, 'stop', '-w']);
      running = false;
    },
    start() {
      if (running) return;
      start();
      running = true;
    },
    allow(hba) {
      fs.writeFileSync(path.join(data, 'pg_hba.conf'), hba);
      asPostgres('pg_ctl', ['-D', data, 'reload']);
    },
    enableTls() {
      const key = path.join(data, 'server.key');
      const crt = path.join(data, 'server.crt');
      // 127.0.0.1 in subjectAltName: TLS clients check an IP address there, not in the CN.
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          crt,
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      fs.chmodSync(key, 0o600);
      if (process.getuid?.() === 0) execFileSync('chown', ['postgres', key, crt]);
      // One statement per call: ALTER SYSTEM refuses to run inside the transaction psql -c makes of several.
      for (const setting of ['ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'"]) cluster.psql(`ALTER SYSTEM SET ${setting}`);
      asPostgres('pg_ctl', ['-D', data, 'reload']);
      return fs.readFileSync(crt, 'utf8');
    },
    psql(sql) {
      return asPostgres('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-Atc', sql]);
    },
    destroy() {
      try {
        cluster.stop('immediate');
      } catch {
        // already down
      }
      fs.rmSync(dir, { recursive: true, force: true });
      live.delete(cluster);
    },
  };
  live.add(cluster);
  return cluster;
}
