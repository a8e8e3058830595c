import type { Database } from 'sql.js';
import { canonicalModelId } from '../routing/modelIdentity';
import { UNPRICED_COLUMNS } from './schema';

/** The daily table's counters that add up when two models' days are merged (all but last_tier and last_ts). */
const dailySums = () => [
  'calls',
  'successes',
  'cost_sum',
  'cost_known',
  'latency_sum',
  'latency_known',
  'input_tokens',
  'output_tokens',
  'source_estimated_sum',
  'source_estimated_calls',
  ...UNPRICED_COLUMNS, // read when merging: schema.ts imports this file
  'cost_sq_sum',
];

/**
 * Merges each model whose name is a family's name plus a snapshot date, a router prefix or a cloud
 * version (`claude-haiku-4-5-20251001`) into the family's model (`claude-haiku-4-5`) where the file
 * holds that one too: its calls move over with their exact id kept as `model_version`, and its daily
 * counters are added to the family's. Nothing is dropped. Returns how many model names were merged.
 */
export function mergeSplitModels(db: Database): number {
  const models = (db.exec('SELECT id, name FROM models')[0]?.values ?? []).map(([id, name]) => ({ id: Number(id), name: String(name) }));
  const byName = new Map(models.map((m) => [m.name, m.id]));
  const sums = dailySums();
  let merged = 0;
  for (const { id, name } of models) {
    const family = canonicalModelId(name);
    const target = family === name ? undefined : byName.get(family);
    if (target === undefined) continue;
    db.run('UPDATE calls SET model_version = coalesce(model_version, ?), model_id = ? WHERE model_id = ?', [name, target, id]);
    const columns = ['stage_id', 'model_id', 'day', ...sums, 'last_tier', 'last_ts'];
    db.run(
      `INSERT INTO daily (${columns.join(', ')})
         SELECT ${columns.map((c) => (c === 'model_id' ? '?' : c)).join(', ')} FROM daily WHERE model_id = ?
       ON CONFLICT (stage_id, model_id, day) DO UPDATE SET
         ${sums.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
         last_tier = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last_tier ELSE last_tier END,
         last_ts = max(last_ts, excluded.last_ts)`,
      [target, id],
    );
    db.run('DELETE FROM daily WHERE model_id = ?', [id]);
    db.run('DELETE FROM models WHERE id = ?', [id]);
    merged++;
  }
  return merged;
}
