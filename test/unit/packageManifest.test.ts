import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  icon?: string;
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
});
