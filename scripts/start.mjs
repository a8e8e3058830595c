// `npm start`: builds and packages the extension, installs the .vsix into a local VS Code
// (code-server on 127.0.0.1) and opens a sample workspace. Prints the URL; Ctrl-C stops it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  cleanup,
  codeServerBin,
  ensureTestTools,
  makeFixtureWorkspace,
  onExit,
  packageExtension,
  root,
  startCodeServer,
  tempFolder,
  vsixPath,
} from './lib/testEnv.mjs';

ensureTestTools();
const scratch = tempFolder('amr-start-');
const extensionDir = await packageExtension(join(scratch, 'package'));
const workspace = process.env.AMR_WORKSPACE ?? (await makeFixtureWorkspace(join(extensionDir, 'dist', 'core.js'), { forPeople: true }));
const extensionsDir = join(root, '.test-tools', 'start-extensions');
const userDataDir = join(root, '.test-tools', 'start-user-data');
execFileSync(codeServerBin, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsixPath, '--force'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
const server = await startCodeServer({ workspace, extensionsDir, userDataDir });
// The sample workspace and the unpacked package go with the server (a workspace of your own stays).
onExit(() => {
  server.stop();
  cleanup(scratch, process.env.AMR_WORKSPACE ? null : workspace);
});
console.log(
  `\nAdaptive Model Router is running in VS Code (code-server) on a sample workspace:\n\n  ${server.url}/?folder=${encodeURIComponent(workspace)}\n\nWorkspace: ${workspace}\nOpen the "Adaptive Routing" icon in the activity bar. Press Ctrl-C to stop (the sample workspace is removed then).`,
);
await new Promise(() => {});
