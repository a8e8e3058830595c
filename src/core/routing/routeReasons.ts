import { pct } from '../format';
import type { ArmSummary, PolicyChoice } from './learningPolicy';

/**
 * Why route() chose what it chose, in words that never contradict themselves: "cheaper models have
 * fallen short" only where cheaper models were tried and fell short, and a fallback says so.
 */
export function explainChoice(choice: PolicyChoice, target: number, stageCalls: number, minSample: number, exploring: boolean): string {
  const { arm, greedy } = choice;
  const evidence = (a: ArmSummary) =>
    a.calls ? `estimated ${pct(a.mean)}, 90% interval ${pct(a.interval.low)}–${pct(a.interval.high)}, n=${a.calls}` : 'no calls here yet';
  const goal = `the ${pct(target)} target`;
  let reason: string;
  if (stageCalls === 0)
    reason = exploring
      ? `No calls for this stage yet: trying ${arm.model}`
      : `No calls for this stage yet, so this is a default: ${arm.model}, the cheapest model, until there are calls to learn from`;
  else if (choice.explored) reason = `Exploring ${arm.model} (${evidence(arm)}) to keep learning; the current best guess for ${goal} is ${greedy.model}`;
  else if (choice.outOfReach) {
    const short = choice.summaries.filter((a) => a.calls > 0).map((a) => `${a.model} ${pct(a.mean)}, n=${a.calls}`);
    if (stageCalls < minSample) reason = `Still learning which model meets ${goal} (${stageCalls} calls so far): ${arm.model} (${evidence(arm)})`;
    else if (arm.calls === 0)
      reason = `Tried models fall short of ${goal} (${short.join('; ')}): ${arm.model}, not tried here yet, is the likeliest to come closest`;
    else {
      const leader = choice.bandLeader;
      reason =
        !leader || leader === arm || !choice.band
          ? `No model reaches ${goal} here; using the one likeliest to come closest, ${arm.model} (${evidence(arm)})`
          : `No model reaches ${goal} here, so the stage runs on the cheapest model within ${Math.round(choice.band * 100)} points of the likeliest best: ${arm.model} (${evidence(arm)}) against ${leader.model} (${evidence(leader)})`;
    }
  } else {
    const index = choice.summaries.indexOf(arm);
    const cheaper = choice.summaries.slice(0, index).filter((a) => !a.excludedBy);
    const triedShort = cheaper.filter((a) => a.calls > 0).map((a) => `${a.model} ${pct(a.mean)}, n=${a.calls}`);
    const untried = cheaper.filter((a) => a.calls === 0).map((a) => a.model);
    const why: string[] = [];
    if (triedShort.length) why.push(`cheaper models fell short (${triedShort.join('; ')})`);
    if (untried.length) why.push(`untried cheaper models (${untried.join(', ')}) are unlikely to meet it here`);
    const head =
      arm.calls && arm.mean >= target
        ? `${arm.model} is the cheapest model likely to meet ${goal} (${evidence(arm)})`
        : `${arm.model} may still meet ${goal} (${evidence(arm)})`;
    reason = why.length ? `${head}; ${why.join('; ')}` : head;
  }
  if (arm.changed === 'recovered') reason += '; it recovered recently';
  const degraded = choice.summaries.filter((a) => a.changed === 'degraded').map((a) => a.model);
  if (degraded.length) reason += `; ${degraded.join(', ')} degraded recently`;
  if (choice.limitsRelaxed) reason = `Fallback: no model meets the cost or latency limit, so the limit is set aside. ${reason}`;
  return reason;
}
