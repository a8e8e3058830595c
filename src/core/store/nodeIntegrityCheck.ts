import { Worker } from 'worker_threads';

/**
 * An integrity check (see TelemetryStoreOptions.integrityCheck) that runs in a worker thread from
 * `workerScript` (dist/integrityWorker.js). One short-lived worker per check.
 */
export function workerIntegrityCheck(workerScript: string): (bytes: Uint8Array) => Promise<string> {
  return (bytes) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(workerScript);
      worker.once('message', (message: { result: string }) => {
        resolve(message.result);
        void worker.terminate();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`integrity worker exited with ${code}`)));
      worker.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
    });
}
