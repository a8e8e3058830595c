// Test entry for a real VS Code extension host: the shape @vscode/test-electron expects, and what
// scripts/run-host-tests.mjs hands to code-server as extensionTestsPath.
import * as fs from 'fs';
import Mocha from 'mocha';
import * as path from 'path';

// AMR_GREP runs the tests whose title matches (one test alone), AMR_REVERSE runs each describe's tests
// in reverse order: together they show that no test depends on what another left behind.
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  if (process.env.AMR_GREP) mocha.grep(process.env.AMR_GREP);
  const suite = process.env.AMR_TEST_SUITE ?? 'extension';
  for (const file of fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith(`${suite}.test.js`))
    .sort())
    mocha.addFile(path.join(__dirname, file));
  if (process.env.AMR_REVERSE) {
    (mocha as unknown as { loadFiles(): void }).loadFiles(); // public in mocha, protected in its types
    const reverse = (s: Mocha.Suite): void => {
      s.tests.reverse();
      s.suites.reverse();
      s.suites.forEach(reverse);
    };
    reverse(mocha.suite);
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
