import { InvalidCallError, TelemetryFileError } from '../core';
import { BUDGET_EXCEEDED_EXIT, budget } from './budgetCommand';
import { savings } from './savingsCommand';
import { SYNC_FAILED_EXIT, sync } from './syncCommand';
import { exportCalls } from './exportCommand';
import { demo, importFiles, track } from './ingestCommands';
import { Io, UnknownNameError, UsageError, parse, required, requireStage, withStore } from './options';
import { recommend, routingCheck, routingStats } from './reportCommands';
import { TOKEN_ENV, serve } from '../serve/serveCommand';

const USAGE = `Usage: adaptive-routing <command> [options]

Commands:
  routing-stats --workflow W [--stage S] [--days 7]   per-model statistics; --by-day: calls, success and
                                                      spend per UTC day (--json: the dashboard's series;
                                                      without --workflow: every workflow)
  routing-check --workflow W [--stage S] | --all      tier-upgrade recommendations
                [--fail-on-upgrade]                   exit 2 when a stage needs an upgrade (CI gate)
  best-model --workflow W --stage S [--max-cost USD] [--max-latency-ms MS] [--min-success-rate 0.8]
                                                      the stage's recommended model (what VS Code shows)
  route --workflow W --stage S [--tier cheap] [--min-success-rate 0.8] [--explore]
                                                      the same recommendation; --explore samples the
                                                      model to run now, as workflows calling route() do
  savings [--workflow W] [--stage S] [--days 7]       what each stage spent, and what its recommended model
                                                      would save (or cost) per week, with a 90% interval
  budget [--fail-over]                                every budget of the manifest: spend in its period,
                                                      projection and state; --fail-over exits ${BUDGET_EXCEEDED_EXIT} when one is spent
  sync --database postgres://USER@HOST/DB [--project P]
                                                      push this file's new calls to the team database, then
                                                      pull the other machines' (password: PGPASSWORD);
                                                      --watch: a round every --interval 30 seconds
  export --format otlp-json [--workflow W] [--stage S] [--days N] [--out FILE]
                                                      the calls as OpenTelemetry GenAI spans (OTLP JSON,
                                                      one export request per line)
  track                                               record JSON lines of calls read from stdin
  import FILE... [--otlp-rules FILE]                  import usage.jsonl / llm_calls.jsonl / OTLP JSON trace files
                                                      (--otlp-rules: the mapping's rules, or .vscode/settings.json)
  serve [--port 4318] [--host 127.0.0.1] [--token T] [--otlp-rules FILE]
                                                      receive OpenTelemetry traces (OTLP/HTTP, JSON or
                                                      protobuf) into the file, as VS Code's receiver does,
                                                      until Ctrl+C or SIGTERM; beyond loopback a token is
                                                      required (--token or ${TOKEN_ENV})
  demo                                                the router on built-in sample telemetry

Options:
  --db PATH                telemetry database (default .attune/telemetry.db)
  --manifest PATH          workflows manifest with stage tiers and targets (default .attune/workflows.json
                           when it exists); flags given on the command line win over it
  --json                   machine-readable output
  --failure-threshold 0.2  --min-sample-size 10  --days 7 (0: all time)

Environment: PGPASSWORD (sync), ADAPTIVE_ROUTING_TOKEN (serve), ADAPTIVE_ROUTING_NOW=2026-12-06T12:00:00Z
  (answer as at that time: budget periods and the time window; for tests and what-ifs)

Exit codes: 0 done, 1 bad usage or no line stored, 2 upgrade needed (--fail-on-upgrade),
            3 telemetry file unusable, 4 unknown workflow or stage, ${BUDGET_EXCEEDED_EXIT} a budget is spent (--fail-over),
            ${SYNC_FAILED_EXIT} the team database could not be reached or refused the sync (local file unchanged)`;

export async function main(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`adaptive-routing: ${(error as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (command || values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 1;
  }
  try {
    switch (command) {
      case 'routing-stats':
        if (!values['by-day']) required(values, 'workflow', command);
        return await withStore(values, io, false, (store) => routingStats(store, values, io));
      case 'routing-check':
        if (!values.all && !values.workflow) throw new UsageError(`routing-check needs --workflow W or --all\n\n${USAGE}`);
        return await withStore(values, io, false, (store) => routingCheck(store, values, io));
      case 'best-model':
      case 'route':
        requireStage(values, command);
        return await withStore(values, io, false, (store) => recommend(store, values, io, command));
      case 'budget':
        return await withStore(values, io, false, (store) => budget(store, values, io));
      case 'savings':
        return await withStore(values, io, false, (store) => savings(store, values, io));
      case 'sync':
        return await withStore(values, io, true, (store) => sync(store, values, io));
      case 'export':
        return await withStore(values, io, false, (store) => exportCalls(store, values, io));
      case 'track':
        return await withStore(values, io, true, (store) => track(store, values, io));
      case 'import':
        if (rest.length === 0) throw new UsageError('import needs at least one FILE');
        return await withStore(values, io, true, (store) => importFiles(store, rest, values, io));
      case 'serve':
        return await withStore(values, io, true, (store) => serve(store, values, io));
      case 'demo':
        return await demo(values, io);
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`adaptive-routing: ${error.message}`);
      return error instanceof UnknownNameError ? 4 : 1;
    }
    if (error instanceof TelemetryFileError || error instanceof InvalidCallError) {
      io.err(`adaptive-routing: ${error.message}`);
      return 3;
    }
    io.err(`adaptive-routing: ${(error as Error).message ?? String(error)}`);
    return 3;
  }
}
