import { InvalidCallError, TelemetryFileError } from '../core';
import { didYouMean } from '../core/names';
import { BUDGET_EXCEEDED_EXIT, budget } from './budgetCommand';
import { savings } from './savingsCommand';
import { SYNC_FAILED_EXIT, sync } from './syncCommand';
import { exportCalls } from './exportCommand';
import { checkImportFiles, demo, importFiles, track } from './ingestCommands';
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
                                                      model to run now, as workflows calling route() do;
                                                      a stage with no calls that no manifest declares
                                                      is refused as unknown (exit 4) unless --new
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
  help [COMMAND]                                      this text, or one command's (also: COMMAND --help)

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

/** The commands, as the usage lists them. */
const COMMANDS = [...USAGE.slice(0, USAGE.indexOf('Options:')).matchAll(/^ {2}([a-z][a-z-]*)(?= |$)/gm)].map((m) => m[1]);

function unknownCommand(command: string): string {
  return `unknown command "${command}"${didYouMean(command, COMMANDS)}; the commands: ${COMMANDS.join(', ')} (adaptive-routing help)`;
}

/** One command's lines of the usage, with the options and exit codes every command shares. */
function commandHelp(command: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${command} `) || l === `  ${command}`);
  let end = start + 1;
  while (end < lines.length && /^ {3,}/.test(lines[end])) end++;
  const shared = USAGE.slice(USAGE.indexOf('Options:'));
  return [
    `Usage: adaptive-routing ${lines[start].trim().replace(/ {2,}/, '\n  ')}`,
    ...lines.slice(start + 1, end).map((l) => `  ${l.trim()}`),
    '',
    shared,
  ].join('\n');
}

export async function main(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    const command = argv.find((a) => COMMANDS.includes(a));
    io.err(`adaptive-routing: ${(error as Error).message} (${command ? `adaptive-routing ${command} --help` : 'adaptive-routing help'} shows the options)`);
    return 1;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (command === 'help' || values.help) {
    const topic = command === 'help' ? rest[0] : command;
    if (!topic) {
      io.out(USAGE);
      return 0;
    }
    if (!COMMANDS.includes(topic)) {
      io.err(`adaptive-routing: ${unknownCommand(topic)}`);
      return 1;
    }
    io.out(commandHelp(topic));
    return 0;
  }
  if (!command) {
    io.err(USAGE);
    return 1;
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
        checkImportFiles(rest, io);
        return await withStore(values, io, true, (store) => importFiles(store, rest, values, io));
      case 'serve':
        return await withStore(values, io, true, (store) => serve(store, values, io));
      case 'demo':
        return await demo(values, io);
      default:
        throw new UsageError(unknownCommand(command));
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const code = error instanceof UnknownNameError ? 4 : 1;
      io.err(`adaptive-routing: ${error.message}`);
      // A script reading --json gets the same answer on stdout, as JSON.
      if (values.json) io.out(JSON.stringify({ error: error.message, exitCode: code }, null, 2));
      return code;
    }
    if (error instanceof TelemetryFileError || error instanceof InvalidCallError) {
      io.err(`adaptive-routing: ${error.message}`);
      return 3;
    }
    io.err(`adaptive-routing: ${(error as Error).message ?? String(error)}`);
    return 3;
  }
}
