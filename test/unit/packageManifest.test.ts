import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  icon?: string;
  galleryBanner?: { color?: string; theme?: string };
  repository?: string | { url?: string };
  vsce?: Record<string, unknown>;
  scripts: Record<string, string>;
  contributes: { walkthroughs?: Array<{ steps: Array<{ id: string; description: string }> }>; viewsWelcome?: Array<{ contents: string }> };
};

describe('package.json: what the Extensions view and the walkthrough show', () => {
  it('has a 128x128 PNG icon', () => {
    assert.ok(manifest.icon, 'no "icon"');
    const png = fs.readFileSync(path.join(root, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });

  it('walkthrough and welcome texts use no Markdown code spans (they render as literal backticks)', () => {
    const texts = [
      ...(manifest.contributes.walkthroughs ?? []).flatMap((w) => w.steps.map((s) => s.description)),
      ...(manifest.contributes.viewsWelcome ?? []).map((v) => v.contents),
    ];
    assert.ok(texts.length > 3);
    for (const text of texts) assert.ok(!text.includes('`'), text);
  });

  it('is ready for the Marketplace: banner, changelog, no placeholder repository, README images in the package', () => {
    assert.match(manifest.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(manifest.galleryBanner?.theme === 'dark' || manifest.galleryBanner?.theme === 'light');
    const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
    assert.ok(repository === undefined || !/example|placeholder|invalid|todo/i.test(repository), `a placeholder repository: ${repository}`);
    // `vsce package` with no flags: the build runs first, and its options are in package.json.
    assert.match(manifest.scripts['vscode:prepublish'] ?? '', /esbuild\.mjs --production/);
    assert.equal(manifest.vsce?.dependencies, false);
    assert.equal(manifest.vsce?.allowMissingRepository, repository === undefined ? true : undefined);
    assert.match(fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'), /^# Changelog\n[\s\S]*^## \[/m);
    const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
    const images = [...fs.readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 2, 'the README shows the tree and the dashboard');
    for (const image of images) {
      assert.ok(fs.existsSync(path.join(root, image)), `${image} is missing`);
      assert.ok(image.startsWith('docs/images/') && ignore.includes('!docs/images/**'), `${image} is not in the package`);
    }
  });
});
