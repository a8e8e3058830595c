import type { TelemetryStore } from '../core';
import { syncRound, TeamSyncError, type SyncReport } from '../core/team/teamSync';
import { hostOf, teamDatabaseUrlProblem } from '../core/team/teamDatabaseUrl';
import { Io, UsageError, Values, numberOption } from './options';

/** The exit code of `sync` when a round could not complete (the local file is left as it was). */
export const SYNC_FAILED_EXIT = 6;

/**
 * adaptive-routing sync --database URL [--project P]: one round (push, then pull) with the team
 * database, or with --watch one every --interval seconds until interrupted (CI runners, servers).
 */
export async function sync(store: TelemetryStore, values: Values, io: Io): Promise<number> {
  const url = values.database;
  if (!url) throw new UsageError('sync needs --database postgres://USER@HOST:PORT/DB (the password in PGPASSWORD)');
  const problem = teamDatabaseUrlProblem(url);
  if (problem === 'not-a-url') throw new UsageError(`--database is not a URL: use postgres://USER@HOST:PORT/DB`);
  if (problem === 'not-postgres') throw new UsageError('--database must be a postgres:// URL');
  if (problem === 'has-password') throw new UsageError('--database must not carry the password (it would stay in shell history and logs): set PGPASSWORD');
  const team = { url, project: values.project ?? 'default', password: process.env.PGPASSWORD };
  const interval = numberOption(values, 'interval', 1, 86_400) ?? 30;
  // --watch: Ctrl+C (or SIGTERM from a CI runner) ends the loop after the round in progress, whose
  // calls are saved: an interrupted round loses nothing.
  let stop = false;
  let wake: (() => void) | undefined;
  const onSignal = () => {
    stop = true;
    wake?.();
  };
  if (values.watch) for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal);
  try {
    for (;;) {
      let code = 0;
      try {
        const report = await syncRound(store, team);
        await store.flush();
        io.out(values.json ? JSON.stringify({ project: team.project, database: hostOf(url), ...report }) : summary(report, team.project, url));
      } catch (error) {
        if (!(error instanceof TeamSyncError)) throw error;
        io.err(`adaptive-routing: ${error.message}`);
        code = SYNC_FAILED_EXIT;
      }
      if (!values.watch) return code;
      if (!stop) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, interval * 1000);
        });
        clearTimeout(timer);
      }
      if (stop) return 0;
    }
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
  }
}

function summary(r: SyncReport, project: string, url: string): string {
  return (
    `Synced with ${hostOf(url)} (project ${project}): pushed ${r.pushed} new call${r.pushed === 1 ? '' : 's'}` +
    `${r.sent > r.pushed ? ` (${r.sent - r.pushed} already there)` : ''}, pulled ${r.pulled}` +
    `${r.received > r.pulled ? ` (${r.received - r.pulled} already here)` : ''} from ${r.writers} other machine${r.writers === 1 ? '' : 's'}` +
    `${r.waiting ? `; ${r.waiting} still waiting` : ''}` +
    `${r.refused ? `; ${r.refused} call${r.refused === 1 ? '' : 's'} refused by the team database, kept aside in the file (${r.quarantined} in all)` : r.quarantined ? `; ${r.quarantined} kept aside from earlier rounds` : ''}` +
    `${r.refusedPulled ? `; ${r.refusedPulled} pulled call${r.refusedPulled === 1 ? '' : 's'} not stored (they fail the checks here)` : ''}` +
    `${r.refused || r.refusedPulled ? `: ${r.reasons.slice(0, 2).join('; ')}` : ''}`
  );
}
