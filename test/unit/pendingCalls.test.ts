import { strict as assert } from 'assert';
import { PendingCalls } from '../../src/core/store/pendingCalls';
import type { LlmCall } from '../../src/core/types';
import type { StoreReader } from '../../src/core/store/storeReader';

const call = (workflow: string, stage: string, id: string) => ({ workflow, stage, id, model: 'm' }) as unknown as LlmCall;

describe('pending calls (write-behind)', () => {
  it('a call tracked without a cached history makes only its own stage late, and counts in its workflow', () => {
    const pending = new PendingCalls();
    pending.add(call('w', 's', 'a'));
    assert.equal(pending.isLate('w', 's'), true);
    assert.equal(pending.isLate('w', 'other'), false);
    assert.equal(pending.isLate('ws', ''), false, 'names are kept apart, not run together');
    assert.equal(pending.isWorkflowLate('w'), true);
    assert.equal(pending.isWorkflowLate('v'), false);
    assert.equal(pending.countIn('w'), 1);
    assert.equal(pending.countIn('v'), 0);
    assert.equal(pending.earlySeqOf(call('w', 's', 'a')), undefined);
  });

  it('a batch is copied, counted and makes its stages late; taking empties everything', () => {
    const pending = new PendingCalls();
    pending.add(call('w', 's', 'a'));
    const batch = [call('w', 't', 'b'), call('v', 's', 'c')];
    pending.addAll(batch);
    batch.push(call('x', 'x', 'later'));
    assert.equal(pending.size, 3, "the caller's array changed afterwards does not change what is pending");
    assert.equal(pending.isLate('w', 't'), true);
    assert.equal(pending.isLate('v', 's'), true);
    assert.equal(pending.countIn('w'), 2);
    assert.equal(pending.countIn('v'), 1);
    const taken = pending.take();
    assert.deepEqual(
      taken.map((c) => c.id),
      ['a', 'b', 'c'],
    );
    assert.equal(pending.size, 0);
    assert.equal(pending.isLate('w', 's'), false);
    assert.equal(pending.isWorkflowLate('v'), false);
    assert.equal(pending.countIn('w'), 0);
  });

  it('a batch put back (its insert rolled back) goes ahead of the calls tracked since, counted and late again', () => {
    const pending = new PendingCalls();
    pending.add(call('w', 's', 'a'));
    pending.add(call('w', 's', 'b'));
    const batch = pending.take();
    pending.add(call('v', 't', 'c'));
    pending.putBack(batch);
    assert.deepEqual(
      pending.take().map((c) => c.id),
      ['a', 'b', 'c'],
    );
    pending.add(call('v', 't', 'd'));
    pending.putBack([call('w', 's', 'e')]);
    assert.equal(pending.countIn('w'), 1);
    assert.equal(pending.countIn('v'), 1);
    assert.equal(pending.isLate('w', 's'), true);
  });

  it('a fresh call on a cached stage is early: in the history and the counters at once, its stage and workflow not late; put back, it is late', () => {
    const seen: string[] = [];
    const reader = {
      historyStageId: (workflow: string, stage: string) => (stage === 'cached' ? 7 : undefined),
      rememberInHistory: (stageId: number, c: LlmCall) => seen.push(`history ${stageId} ${c.id}`),
      countAhead: (stageId: number, c: LlmCall) => seen.push(`counted ${stageId} ${c.id}`),
    } as unknown as StoreReader;
    const pending = new PendingCalls();
    const early = call('w', 'cached', 'a');
    pending.add(early, reader);
    assert.deepEqual(seen, ['history 7 a', 'counted 7 a']);
    assert.equal(pending.isLate('w', 'cached'), false);
    assert.equal(pending.isWorkflowLate('w'), false);
    assert.equal(typeof pending.earlySeqOf(early), 'number');
    pending.add(call('w', 'other', 'b'), reader);
    assert.equal(pending.isWorkflowLate('w'), true, 'one late stage makes the workflow late');
    assert.deepEqual(seen, ['history 7 a', 'counted 7 a']);
    pending.putBack(pending.take());
    assert.equal(pending.earlySeqOf(early), undefined, 'the reader that counted it is gone: it is inserted like any other');
    assert.equal(pending.isLate('w', 'cached'), true);
  });
});
