import { strict as assert } from 'assert';
import { openTelemetryStore } from '../../src/core';
import {
  fingerprintOf,
  importJsonlBytes,
  isRotatedSibling,
  parseNaiveLocalTime,
  parseTelemetryLine,
  resumeOffset,
  sortRotated,
} from '../../src/core/ingest/importers';
import { usageLine } from './helpers';

const CALL_FIELDS = 'workflow, stage, tier, model, provider, cost, costEstimated, tokens, durationMs, success, error, cacheHit, ts, id';
const bytes = (text: string) => new TextEncoder().encode(text);

describe('log lines and files, byte by byte', () => {
  it('names the field people write instead of each of ours', () => {
    const aliases: Record<string, string> = {
      timestamp: 'ts',
      time: 'ts',
      duration_ms: 'durationMs',
      latency_ms: 'durationMs',
      latencyMs: 'durationMs',
      duration: 'durationMs',
      cache_hit: 'cacheHit',
      step: 'stage',
      model_id: 'model',
      ok: 'success',
      input_tokens: 'tokens.input',
      output_tokens: 'tokens.output',
      prompt_tokens: 'tokens.input',
      completion_tokens: 'tokens.output',
    };
    for (const [field, ours] of Object.entries(aliases)) {
      // A call line (workflow and model, no marker of the upstream formats) with the alias in it.
      const line = JSON.stringify({ workflow: 'w', model: 'm', [field]: 1 });
      if (field === 'duration_ms') continue; // a marker of usage.jsonl lines, which take it as theirs
      assert.throws(
        () => parseTelemetryLine(line),
        {
          message: `unknown field "${field}" (did you mean "${ours}"?); a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
        },
        field,
      );
    }
    assert.throws(() => parseTelemetryLine('{"workflow":"w","model":"m","tokens":{"inptu":1}}'), {
      message: `unknown field "tokens.inptu" (did you mean "tokens.input"?); a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    });
    assert.throws(() => parseTelemetryLine('{"workflow":"w","model":"m","tokens":{"zzzzzz":1},"qqqqqq":2}'), {
      message: `unknown fields "qqqqqq", "tokens.zzzzzz"; a call has ${CALL_FIELDS} (tokens: input, output, cacheRead, cacheWrite, cacheWrite1h)`,
    });
    assert.deepEqual(
      parseTelemetryLine('{"workflow":"w","model":"m","tokens":null}').call.tokens,
      null,
      'tokens that are not an object are left to validation',
    );
  });

  it('reads Python timestamps: naive ones as local time, offsets and Z as given, fractions to the millisecond', () => {
    assert.equal(parseNaiveLocalTime('2026-11-20T10:00:00Z').toISOString(), '2026-11-20T10:00:00.000Z');
    assert.equal(parseNaiveLocalTime('2026-11-20 10:00:00.123456+0200').toISOString(), '2026-11-20T08:00:00.123Z');
    assert.equal(parseNaiveLocalTime('2026-11-20T10:00:05.5-01:30').toISOString(), '2026-11-20T11:30:05.500Z');
    assert.equal(parseNaiveLocalTime('2026-11-20T10:00Z').toISOString(), '2026-11-20T10:00:00.000Z', 'seconds may be left out');
    assert.equal(parseNaiveLocalTime(' 2026-11-20T10:00:00 ').getTime(), new Date(2026, 10, 20, 10, 0, 0).getTime(), 'local time, spaces trimmed');
    assert.equal(parseNaiveLocalTime('2026-11-20T10:00:00.25').getMilliseconds(), 250);
    assert.throws(() => parseNaiveLocalTime(5), { message: '"timestamp" is missing' });
    assert.throws(() => parseNaiveLocalTime('x2026-11-20T10:00:00'), { message: '"timestamp" is not an ISO date: "x2026-11-20T10:00:00"' });
    assert.throws(() => parseNaiveLocalTime('2026-11-20T10:00:00Zx'), /is not an ISO date/);
    assert.throws(() => parseNaiveLocalTime('2026-11-20T10:00:00.1234567890'), /is not an ISO date/, 'at most nine digits of fraction');
    assert.throws(() => parseNaiveLocalTime('2026-11-20T10:00:00' + '0'.repeat(50)), {
      message: '"timestamp" is not an ISO date: "2026-11-20T10:00:0000000000000000000000',
    });
  });

  it('a file is resumed where it was read up to only while its first bytes are the same', () => {
    const head = bytes('line one\nline two\n');
    const progress = { offset: 9, fingerprint: fingerprintOf(head, 9) };
    assert.equal(fingerprintOf(head, 9), fingerprintOf(bytes('line one\nsomething else'), 9), 'only the bytes read count');
    assert.notEqual(fingerprintOf(head, 9), fingerprintOf(head, 8));
    assert.equal(resumeOffset(progress, head, head.length), 9);
    assert.equal(resumeOffset(progress, bytes('LINE ONE\nline two\n'), 18), 0, 'replaced: from the start');
    assert.equal(resumeOffset(progress, head, 8), 0, 'shorter than the bookmark: truncated, from the start');
    assert.equal(resumeOffset(progress, head, 9), 9);
    assert.equal(resumeOffset(undefined, head, 18), 0);
  });

  it('imports complete lines only, trimmed, numbering problems by line and keeping at most 20 of them', async () => {
    const store = await openTelemetryStore();
    const text = [
      '  ' + usageLine({ seq: 1 }) + '  ',
      '',
      ...Array.from({ length: 25 }, () => 'nonsense'),
      usageLine({ seq: 2 }),
      usageLine({ seq: 3 }).slice(0, 30),
    ].join('\n');
    const report = importJsonlBytes(store, 'src', bytes(text), 100, bytes(text.slice(0, 50)));
    assert.deepEqual([report.linesRead, report.imported, report.skipped, report.problems.length], [27, 2, 25, 20]);
    assert.deepEqual(report.problems[0], { line: 3, message: 'not valid JSON' });
    assert.equal(report.toOffset, 100 + text.lastIndexOf('\n') + 1, 'the unfinished last line is left for next time');
    assert.equal(importJsonlBytes(store, 'src', bytes('no newline yet'), 0, bytes('')).linesRead, 0);
    const oneLine = importJsonlBytes(store, 'src2', bytes('\n' + usageLine({ seq: 9 }) + '\n'), 0, bytes(''));
    assert.equal(oneLine.imported, 1, 'a newline at the very start is a (blank) complete line');
    store.dispose();
  });

  it('knows rotated siblings of a log, and sorts them oldest first', () => {
    assert.equal(isRotatedSibling('usage.jsonl', 'usage.2026-11-20.jsonl'), true);
    assert.equal(isRotatedSibling('usage.jsonl', 'usage.2026-11-20.2.jsonl'), true);
    assert.equal(isRotatedSibling('usage.jsonl', 'usage.jsonl'), false);
    assert.equal(isRotatedSibling('usage.jsonl', 'usage.2026-11-20.jsonl.bak'), false);
    assert.equal(isRotatedSibling('usage.jsonl', 'usage.x2026-11-20.jsonl'), false);
    assert.equal(isRotatedSibling('usage.jsonl', 'usage.2026-11-20x.jsonl'), false);
    assert.equal(isRotatedSibling('usage.jsonl', 'usage.2026-11-20.12.jsonl'), true, 'rotation numbers of two digits');
    assert.equal(isRotatedSibling('usage.jsonl', 'other.2026-11-20.jsonl'), false);
    assert.equal(isRotatedSibling('usage.jsonl', 'usage2026-11-20.jsonl'), false);
    assert.equal(isRotatedSibling('log', 'log.2026-11-20'), true, 'a log without an extension');
    assert.equal(isRotatedSibling('.log', '.log.2026-11-20'), true, 'a name that starts with its only dot has no extension');
    assert.deepEqual(sortRotated(['usage.2026-11-20.10.jsonl', 'usage.2026-11-20.9.jsonl', 'usage.2026-11-19.jsonl']), [
      'usage.2026-11-19.jsonl',
      'usage.2026-11-20.9.jsonl',
      'usage.2026-11-20.10.jsonl',
    ]);
  });
});
