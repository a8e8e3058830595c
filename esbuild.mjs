// Builds the bundles: the extension for Node and browser hosts, the core for scripts, the CLI (and the
// pieces loaded apart: the integrity worker, the OTLP receiver, the dashboard page).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  target: 'es2022',
  // jsonc-parser's "main" is UMD with runtime requires esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
};

/** The browser build gets the web variant of node-only adapters (`x.ts` → `x.web.ts`). */
const webVariants = {
  name: 'web-variants',
  setup(build) {
    build.onResolve({ filter: /\/storageFactory$/ }, (args) => ({ path: path.join(args.resolveDir, `${args.path}.web.ts`) }));
  },
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/web/extension.js',
    platform: 'browser',
    format: 'cjs',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser'],
    // sql.js's browser build never touches these; the web host has no Node built-ins.
    external: ['vscode', 'fs', 'path', 'crypto'],
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [webVariants],
  },
  { ...common, entryPoints: ['src/core/index.ts'], outfile: 'dist/core.js', platform: 'node', format: 'cjs' },
  { ...common, entryPoints: ['src/integrityWorker.ts'], outfile: 'dist/integrityWorker.js', platform: 'node', format: 'cjs' },
  // The OTLP receiver and its protobuf decoder: loaded by the extension only when the receiver starts (off by default).
  { ...common, entryPoints: ['src/core/ingest/otlpReceiver.ts'], outfile: 'dist/otlpReceiver.js', platform: 'node', format: 'cjs' },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs' },
  // The dashboard page (a webview): its script with uPlot, and its style sheet beside it (dashboard.css).
  { ...common, entryPoints: ['src/webview/dashboard/main.ts'], outfile: 'dist/webview/dashboard.js', platform: 'browser', format: 'iife', minify: true },
];

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/web', { recursive: true });
// One wasm for every bundle: Node finds it beside the bundle, the extension reads it through vscode.workspace.fs.
copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
