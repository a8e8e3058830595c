// Test entry for a real VS Code extension host: the shape @vscode/test-electron expects, and what
// scripts/run-host-tests.mjs hands to code-server as extensionTestsPath.
import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const suite = process.env.AMR_TEST_SUITE ?? 'extension';
  for (const file of fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(`${suite}.test.js`))
    .sort())
    mocha.addFile(path.join(__dirname, file));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
