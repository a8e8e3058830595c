// The same integration suite under @vscode/test-electron, for machines with internet access
// (it downloads VS Code). Not part of `npm test` here: these machines reach only npm and Debian.
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildIntegrationTests, cleanup, makeFixtureWorkspace, packageExtension, tempFolder } from './lib/testEnv.mjs';

const scratch = tempFolder('amr-electron-');
try {
  const extensionDevelopmentPath = await packageExtension(join(scratch, 'package'));
  const testsDir = await buildIntegrationTests();
  const workspace = await makeFixtureWorkspace(join(extensionDevelopmentPath, 'dist', 'core.js'));
  await runTests({
    extensionDevelopmentPath,
    extensionTestsPath: join(testsDir, 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { AMR_TEST_SUITE: 'extension' },
  });
} catch (error) {
  console.error(`test:electron: ${error.message}`);
  process.exitCode = 1;
} finally {
  cleanup(scratch);
}
