// A throwaway PostgreSQL for the extension-host team suite: starts a cluster, prints
// "PG_URL <url>", and removes it when told to stop (SIGTERM, SIGINT) or when its parent goes away.
import { startPgCluster } from '../test/pgCluster';

startPgCluster().then(
  (cluster) => {
    process.stdout.write(`PG_URL ${cluster.url}\n`);
    const stop = () => {
      cluster.destroy();
      process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.stdin.on('end', stop); // the parent closed our stdin: it is gone
    process.stdin.resume();
  },
  (error: Error) => {
    process.stderr.write(`pgServe: ${error.message}\n`);
    process.exit(1);
  },
);
