/** Standard normal quantile for the usual confidence levels, by Acklam's rational approximation. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

export interface Interval {
  low: number;
  high: number;
}

/**
 * Wilson score interval for a proportion: successes k of n at the given two-sided confidence.
 * Unlike the normal approximation it stays inside [0, 1] and behaves at k = 0 or k = n.
 */
export function wilsonInterval(k: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** A Gamma(shape, 1) draw by Marsaglia and Tsang's method (shape < 1 boosted by U^(1/shape)). */
export function sampleGamma(shape: number, random: () => number): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * Math.pow(random() || Number.MIN_VALUE, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A standard normal draw (Box-Muller). */
export function sampleNormal(random: () => number): number {
  const u = random() || Number.MIN_VALUE;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * A Beta(alpha, beta) draw: the posterior sample behind Thompson sampling. Cheng's algorithm BB
 * (1978) when both shapes exceed 1, which needs no normal draws (the router makes hundreds of
 * these per decision); else as a ratio of Gamma draws.
 */
export function sampleBeta(alpha: number, beta: number, random: () => number): number {
  if (alpha <= 1 || beta <= 1) {
    const x = sampleGamma(alpha, random);
    const y = sampleGamma(beta, random);
    return x / (x + y);
  }
  const a = Math.min(alpha, beta);
  const b = Math.max(alpha, beta);
  const sum = a + b;
  const scale = Math.sqrt((sum - 2) / (2 * a * b - sum));
  const shift = a + 1 / scale;
  for (;;) {
    const u1 = random();
    const u2 = random();
    if (u1 <= 0 || u1 >= 1) continue;
    const v = scale * Math.log(u1 / (1 - u1));
    const w = a * Math.exp(v);
    const z = u1 * u1 * u2;
    const r = shift * v - LN4;
    const s = a + r - w;
    if (s + 1 + LN5 >= 5 * z || s >= Math.log(z) || r + sum * Math.log(sum / (b + w)) >= Math.log(z)) {
      return a === alpha ? w / (b + w) : b / (b + w);
    }
  }
}

/** Fills `out` with Beta(alpha, beta) draws (one loop here, so the draws are stored as they come, not handed back one by one). */
export function fillBeta(out: Float64Array, alpha: number, beta: number, random: () => number): void {
  for (let r = 0; r < out.length; r++) out[r] = sampleBeta(alpha, beta, random);
}

const LN4 = Math.log(4);
const LN5 = Math.log(5);

/** P(X >= k) for X ~ Binomial(n, p), summed exactly (n is a recent window, so small). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let term = Math.pow(1 - p, n); // P(X = 0)
  let below = 0;
  for (let i = 0; i < k; i++) {
    below += term;
    term *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  return Math.max(0, 1 - below);
}

/** Weight of an observation `age` steps old when weights halve every `halfLife` steps. */
export function decayWeight(age: number, halfLife: number): number {
  return halfLife > 0 && Number.isFinite(halfLife) ? Math.pow(2, -age / halfLife) : 1;
}

/** The Lanczos coefficients (g = 7, n = 9), made once: logGamma is on every decision's path. */
const LANCZOS = Float64Array.of(
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
);

/** ln Γ(x) by the Lanczos approximation (g = 7, n = 9). */
export function logGamma(x: number): number {
  const c = LANCZOS;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Regularized incomplete beta I_x(a, b): the Beta(a, b) CDF at x (continued fraction, Lentz). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  // The fraction converges fast below the mean; above it, by symmetry. Decided once: near the
  // boundary, rounding of 1 - x could otherwise send each side to the other for ever.
  return x > (a + 1) / (a + b + 2) ? 1 - betaFraction(1 - x, b, a) : betaFraction(x, a, b);
}

function betaFraction(x: number, a: number, b: number): number {
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  const tiny = 1e-300;
  let f = 1;
  let c = 1;
  let d = 0;
  for (let i = 0; i <= 300; i++) {
    const m = i >> 1;
    let numerator: number;
    if (i === 0) numerator = 1;
    else if (i % 2 === 0) numerator = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    else numerator = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + numerator * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = 1 + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    const step = c * d;
    f *= step;
    if (Math.abs(1 - step) < 1e-12) break;
  }
  return (front * (f - 1)) / a;
}

/**
 * Exact (Clopper-Pearson) interval of a binomial rate at the given two-sided confidence: never
 * narrower than the data allow, whatever n. Bounds by bisection on the Beta CDF.
 */
export function exactInterval(k: number, n: number, confidence = 0.9): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const tail = (1 - confidence) / 2;
  const low = k === 0 ? 0 : betaQuantile(tail, k, n - k + 1);
  const high = k === n ? 1 : betaQuantile(1 - tail, k + 1, n - k);
  return { low, high };
}

/** The x with I_x(a, b) = p, by bisection (53 steps reach double precision). */
export function betaQuantile(p: number, a: number, b: number): number {
  let low = 0;
  let high = 1;
  for (let step = 0; step < 53; step++) {
    const mid = (low + high) / 2;
    if (regularizedBeta(mid, a, b) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
