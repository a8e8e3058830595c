import { pct } from '../format';
import { exactInterval, Interval } from './statistics';

/**
 * Is a stage's failure rate worse than it may be? The verdict a user can check by hand: the exact
 * 90% interval of the failure rate, and whether it lies wholly above the rate a healthy stage may
 * still show (three quarters of the threshold: 15% for the 20% threshold). That is a one-sided
 * exact binomial test at the 5% level, so a stage that really fails 15% of the time is called
 * confident at most 5% of the time, at any number of calls, while one failing 35% is caught at
 * least 90% of the time from 50 calls on (npm run bench:routing prints both).
 */
export interface FailureEvidence {
  failures: number;
  calls: number;
  /** Failures / calls. */
  rate: number;
  /** Exact 90% interval of the failure rate. */
  interval: Interval;
  /** The failure rate that triggers an upgrade (above it). */
  threshold: number;
  /** The highest failure rate a healthy stage is taken to have. */
  healthy: number;
  /** True when the whole interval lies above `healthy`. */
  confident: boolean;
}

export const EVIDENCE_CONFIDENCE = 0.9;
/** A healthy stage's failure rate, as a share of the threshold. */
export const HEALTHY_SHARE = 0.75;

export function failureEvidence(failures: number, calls: number, threshold: number): FailureEvidence {
  const interval = exactInterval(failures, calls, EVIDENCE_CONFIDENCE);
  const healthy = threshold * HEALTHY_SHARE;
  return { failures, calls, rate: calls ? failures / calls : 0, interval, threshold, healthy, confident: calls > 0 && interval.low > healthy };
}

/** "failure rate 23.0–29.0% (90% interval) over 88 calls, above the 15.0% a healthy stage may show (threshold 20.0%)". */
export function describeEvidence(e: FailureEvidence): string {
  const range = `failure rate ${pct(e.interval.low)}–${pct(e.interval.high)} (90% interval) over ${e.calls} calls`;
  return e.confident
    ? `Confident: ${range}, wholly above the ${pct(e.healthy)} a healthy stage may show (threshold ${pct(e.threshold)})`
    : `Not yet certain: ${range}; a healthy stage may show up to ${pct(e.healthy)} (threshold ${pct(e.threshold)})`;
}
