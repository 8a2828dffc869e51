/**
 * Queueing mathematics for contact-center staffing and validation.
 *
 * Pure and dependency-free. Two models are provided:
 *
 * - **Erlang C** (M/M/c): Poisson arrivals, exponential handle times, `c` agents,
 *   infinite patience (nobody abandons).
 * - **Erlang A** (M/M/c+M, also "Palm/Erlang-A"): as Erlang C, but every caller has
 *   an exponentially distributed patience with mean `1/θ`; a caller whose wait
 *   reaches their patience hangs up (abandons).
 *
 * ## Units
 *
 * All public functions take the arrival rate in **calls per hour** and every
 * duration (handle time, patience, service-level threshold, results such as ASA)
 * in **seconds**. The offered load `A = arrivalRatePerHour * meanHandleSeconds / 3600`
 * is in Erlangs. Probabilities and service levels are fractions in `[0, 1]`
 * (0.8 means 80 %), never percentages.
 *
 * ## Numerics
 *
 * Erlang B is computed with the recurrence `B(0) = 1`,
 * `B(k) = A·B(k-1) / (k + A·B(k-1))`, which never overflows and is stable for
 * thousands of agents; Erlang C is derived from it as `C = c·B / (c - A·(1 - B))`.
 *
 * Erlang A uses the closed forms of Mandelbaum & Zeltyn ("The Palm/Erlang-A queue,
 * with applications to call centers", 2005; see also Garnett, Mandelbaum & Reiman,
 * "Designing a call center with impatient customers", MSOM 4(3), 2002), which are
 * expressed with the lower incomplete gamma function. With `x = c·μ/θ` and
 * `y = λ/θ`, the birth–death chain of the number of calls in the system gives
 * `π(c+j) = π(c)·q(j)` with `q(j) = y^j / ((x+1)(x+2)…(x+j))`, and
 * `S = Σ_j q(j) = x·e^y·y^(-x)·γ(x, y)`. Everything is evaluated in log space
 * (the raw factors overflow a double for a few hundred agents), with a numerically
 * stable incomplete gamma (series + Lentz continued fraction, as in Numerical
 * Recipes `gser`/`gcf`) and a Lanczos log-gamma.
 *
 * @module
 */

const SECONDS_PER_HOUR = 3600;

// ---------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : `${typeof value} ${String(value)}`;
}

function requireNonNegativeFinite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0 (got ${describe(value)})`);
  }
}

function requirePositiveFinite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0 (got ${describe(value)})`);
  }
}

function requireAgentCount(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer (got ${describe(value)})`);
  }
}

/** Fraction in [0, 1) — a target of exactly 1 can never be met with random traffic. */
function requireTargetFraction(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new RangeError(`${name} must be a fraction in [0, 1) (got ${describe(value)})`);
  }
}

/** Fraction in (0, 1] — used for caps such as maximum occupancy or abandonment. */
function requireCapFraction(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new RangeError(`${name} must be a fraction in (0, 1] (got ${describe(value)})`);
  }
}

/** Mean patience: a positive number of seconds, or `Infinity` for "never abandons". */
function requirePatience(name: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new RangeError(`${name} must be > 0 seconds, or Infinity for no abandonment (got ${describe(value)})`);
  }
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** log(e^a + e^b) without overflow; handles ±Infinity. */
function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === -Infinity || m === Infinity) return m;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

// ---------------------------------------------------------------------------
// Special functions
// ---------------------------------------------------------------------------

/** Lanczos approximation, g = 7, n = 9 (relative accuracy ~1e-15). */
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

/**
 * Natural logarithm of the gamma function, `ln Γ(x)`, for `x > 0`
 * (Lanczos approximation with g = 7; reflection formula below 0.5).
 *
 * @throws RangeError if `x` is not a finite number > 0.
 */
export function logGamma(x: number): number {
  requirePositiveFinite('x', x);
  return logGammaUnchecked(x);
}

function logGammaUnchecked(x: number): number {
  if (x < 0.5) {
    // Γ(x)Γ(1-x) = π / sin(πx); sin(πx) > 0 on (0, 0.5).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGammaUnchecked(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) {
    sum += (LANCZOS_COEFFICIENTS[i] as number) / (z + i);
  }
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Digamma ψ(z) for z > 0 (recurrence up to 10, then the asymptotic series). */
function digamma(z: number): number {
  let result = 0;
  let w = z;
  while (w < 10) {
    result -= 1 / w;
    w += 1;
  }
  const f = 1 / (w * w);
  return (
    result + Math.log(w) - 0.5 / w - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))
  );
}

const SERIES_EPS = 1e-17;
const CF_EPS = 1e-15;
const FPMIN = 1e-300;

function iterationBudget(a: number): number {
  return Math.max(1000, Math.ceil(60 * Math.sqrt(a)) + 1000);
}

/**
 * Series part of γ(a, x) (Numerical Recipes `gser`): returns
 * `Σ_{n>=0} x^n / (a (a+1) … (a+n))`, so that `γ(a, x) = e^{-x} x^a · result`.
 * Converges quickly for `x < a + 1`.
 */
function lowerGammaSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  const budget = iterationBudget(a);
  for (let n = 1; n <= budget; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (term < sum * SERIES_EPS) return sum;
  }
  throw new Error(`incomplete gamma series did not converge (a=${a}, x=${x})`);
}

/**
 * Continued fraction for Γ(a, x) (Numerical Recipes `gcf`, modified Lentz):
 * returns `h` with `Γ(a, x) = e^{-x} x^a · h`. Converges quickly for `x > a + 1`.
 */
function upperGammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  const budget = iterationBudget(a);
  for (let i = 1; i <= budget; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < CF_EPS) return h;
  }
  throw new Error(`incomplete gamma continued fraction did not converge (a=${a}, x=${x})`);
}

function validateGammaArgs(a: number, x: number): void {
  requirePositiveFinite('a', a);
  if (typeof x !== 'number' || Number.isNaN(x) || x < 0) {
    throw new RangeError(`x must be a number >= 0 (got ${describe(x)})`);
  }
}

/**
 * Regularized lower incomplete gamma function `P(a, x) = γ(a, x) / Γ(a)`.
 *
 * Uses the power series for `x < a + 1` and the Lentz continued fraction for the
 * complement otherwise (Numerical Recipes `gammp`).
 *
 * @param a shape, finite and > 0
 * @param x argument, >= 0 (`Infinity` gives 1)
 * @throws RangeError on invalid arguments.
 */
export function regularizedGammaP(a: number, x: number): number {
  validateGammaArgs(a, x);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  const logPrefactor = -x + a * Math.log(x) - logGammaUnchecked(a);
  if (x < a + 1) return clamp01(lowerGammaSeries(a, x) * Math.exp(logPrefactor));
  return clamp01(1 - upperGammaContinuedFraction(a, x) * Math.exp(logPrefactor));
}

/**
 * Regularized upper incomplete gamma function `Q(a, x) = Γ(a, x) / Γ(a) = 1 - P(a, x)`,
 * computed directly (no cancellation) in the tail.
 *
 * @param a shape, finite and > 0
 * @param x argument, >= 0 (`Infinity` gives 0)
 * @throws RangeError on invalid arguments.
 */
export function regularizedGammaQ(a: number, x: number): number {
  validateGammaArgs(a, x);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const logPrefactor = -x + a * Math.log(x) - logGammaUnchecked(a);
  if (x < a + 1) return clamp01(1 - lowerGammaSeries(a, x) * Math.exp(logPrefactor));
  return clamp01(upperGammaContinuedFraction(a, x) * Math.exp(logPrefactor));
}

/**
 * `ln G(a, z)` where `G(a, z) = a·e^z·z^(-a)·γ(a, z) = Σ_{j>=0} z^j / ((a+1)…(a+j))`.
 *
 * `G` is the normalising sum of the queue part of the Erlang-A chain. It is >= 1, so
 * it never underflows, but it overflows a double when `z ≫ a` — hence the log.
 */
function logScaledLowerGamma(a: number, z: number): number {
  if (z === 0) return 0;
  if (a === 0) return z; // Σ z^j / j! = e^z
  if (z < a + 1) return Math.log(a * lowerGammaSeries(a, z));
  // G = K - a·h, with K = e^z z^{-a} Γ(a+1) and Γ(a, z) = e^{-z} z^a h.
  // Here P(a, z) is bounded away from 0, so a·h/K = Q(a, z) < 1 and log1p is safe.
  const logK = z - a * Math.log(z) + logGammaUnchecked(a + 1);
  const h = upperGammaContinuedFraction(a, z);
  return logK + Math.log1p(-a * h * Math.exp(-logK));
}

// ---------------------------------------------------------------------------
// Erlang B / Erlang C
// ---------------------------------------------------------------------------

/**
 * Offered load in Erlangs: `A = arrivalRatePerHour × meanHandleSeconds / 3600`.
 *
 * @throws RangeError if the arrival rate is negative/non-finite or the handle time is not > 0.
 */
export function offeredLoad(arrivalRatePerHour: number, meanHandleSeconds: number): number {
  requireNonNegativeFinite('arrivalRatePerHour', arrivalRatePerHour);
  requirePositiveFinite('meanHandleSeconds', meanHandleSeconds);
  return (arrivalRatePerHour * meanHandleSeconds) / SECONDS_PER_HOUR;
}

function erlangBUnchecked(trafficErlangs: number, agents: number): number {
  let b = 1;
  for (let k = 1; k <= agents; k++) {
    const ab = trafficErlangs * b;
    b = ab / (k + ab);
  }
  return b;
}

/**
 * Erlang B blocking probability `B(c, A)` for `A` Erlangs offered to `c` servers
 * without a queue, by the recurrence `B(0) = 1`, `B(k) = A·B(k-1) / (k + A·B(k-1))`.
 *
 * @param trafficErlangs offered load `A` (>= 0)
 * @param agents number of servers `c` (integer >= 0)
 * @throws RangeError on invalid arguments.
 */
export function erlangB(trafficErlangs: number, agents: number): number {
  requireNonNegativeFinite('trafficErlangs', trafficErlangs);
  requireAgentCount('agents', agents);
  return erlangBUnchecked(trafficErlangs, agents);
}

function erlangCFromB(trafficErlangs: number, agents: number, b: number): number {
  if (trafficErlangs === 0) return 0;
  if (trafficErlangs >= agents) return 1;
  return clamp01((agents * b) / (agents - trafficErlangs * (1 - b)));
}

/**
 * Erlang C probability that an arriving call has to wait, `P(W > 0) = C(c, A)`,
 * computed from Erlang B as `C = c·B / (c - A·(1 - B))`.
 *
 * Returns 1 when the queue is unstable (`A >= c`), and 0 when there is no traffic.
 *
 * @param trafficErlangs offered load `A` (>= 0)
 * @param agents number of agents `c` (integer >= 0)
 * @throws RangeError on invalid arguments.
 */
export function erlangCProbWait(trafficErlangs: number, agents: number): number {
  requireNonNegativeFinite('trafficErlangs', trafficErlangs);
  requireAgentCount('agents', agents);
  return erlangCFromB(trafficErlangs, agents, erlangBUnchecked(trafficErlangs, agents));
}

/** Inputs shared by both models. */
export interface QueueParams {
  /** Mean arrival rate, calls per hour (>= 0). */
  arrivalRatePerHour: number;
  /** Mean handle time (talk + hold + wrap-up) in seconds (> 0). */
  meanHandleSeconds: number;
  /** Number of agents/servers (integer >= 0). */
  agents: number;
}

/** Inputs of {@link erlangCMetrics}. */
export interface ErlangCParams extends QueueParams {
  /** Service-level threshold `T` in seconds (>= 0), e.g. 20 for "80/20". */
  thresholdSeconds: number;
}

/** Steady-state Erlang C (M/M/c) performance measures. */
export interface ErlangCMetrics {
  /** Offered load `A` in Erlangs. */
  trafficErlangs: number;
  /** Number of agents `c`. */
  agents: number;
  /** `false` when `A >= c` (the queue grows without bound). */
  stable: boolean;
  /** Probability that an arriving call waits at all, `P(W > 0)`. 1 if unstable. */
  probWait: number;
  /** Service level `P(W <= T) = 1 - C·e^{-(c-A)·T/AHT}`. 0 if unstable. */
  serviceLevel: number;
  /** Average speed of answer: mean wait over all calls, `C·AHT/(c-A)` seconds. Infinity if unstable. */
  asaSeconds: number;
  /** Mean wait of the calls that do wait, `AHT/(c-A)` seconds. Infinity if unstable. */
  meanWaitOfDelayedSeconds: number;
  /** Agent occupancy `A/c` (capped at 1 when unstable; 0 without traffic). */
  occupancy: number;
}

function validateQueueParams(p: QueueParams): void {
  if (p === null || typeof p !== 'object') throw new TypeError('parameters must be an object');
  requireNonNegativeFinite('arrivalRatePerHour', p.arrivalRatePerHour);
  requirePositiveFinite('meanHandleSeconds', p.meanHandleSeconds);
  requireAgentCount('agents', p.agents);
}

function erlangCMetricsFromB(
  trafficErlangs: number,
  agents: number,
  b: number,
  meanHandleSeconds: number,
  thresholdSeconds: number,
): ErlangCMetrics {
  const a = trafficErlangs;
  const c = agents;
  if (a === 0) {
    return {
      trafficErlangs: 0,
      agents: c,
      stable: true,
      probWait: 0,
      serviceLevel: 1,
      asaSeconds: 0,
      meanWaitOfDelayedSeconds: c > 0 ? meanHandleSeconds / c : Infinity,
      occupancy: 0,
    };
  }
  if (a >= c) {
    return {
      trafficErlangs: a,
      agents: c,
      stable: false,
      probWait: 1,
      serviceLevel: 0,
      asaSeconds: Infinity,
      meanWaitOfDelayedSeconds: Infinity,
      occupancy: 1,
    };
  }
  const probWait = erlangCFromB(a, c, b);
  const meanWaitOfDelayedSeconds = meanHandleSeconds / (c - a);
  return {
    trafficErlangs: a,
    agents: c,
    stable: true,
    probWait,
    serviceLevel: clamp01(1 - probWait * Math.exp(-((c - a) * thresholdSeconds) / meanHandleSeconds)),
    asaSeconds: probWait * meanWaitOfDelayedSeconds,
    meanWaitOfDelayedSeconds,
    occupancy: a / c,
  };
}

/**
 * Erlang C (M/M/c) performance measures: probability of waiting, service level,
 * ASA, mean wait of delayed calls and occupancy.
 *
 * Unstable systems (`A >= c`) report `probWait = 1`, `serviceLevel = 0`,
 * `asaSeconds = Infinity`.
 *
 * @example
 * // 100 calls per half hour, AHT 180 s, 14 agents, 80/20 target:
 * erlangCMetrics({ arrivalRatePerHour: 200, meanHandleSeconds: 180, agents: 14, thresholdSeconds: 20 });
 * // → { probWait ≈ 0.1741, serviceLevel ≈ 0.8884, asaSeconds ≈ 7.84, occupancy ≈ 0.714, … }
 * @throws RangeError naming the offending parameter on invalid input.
 */
export function erlangCMetrics(params: ErlangCParams): ErlangCMetrics {
  validateQueueParams(params);
  requireNonNegativeFinite('thresholdSeconds', params.thresholdSeconds);
  const a = offeredLoad(params.arrivalRatePerHour, params.meanHandleSeconds);
  const b = erlangBUnchecked(a, params.agents);
  return erlangCMetricsFromB(a, params.agents, b, params.meanHandleSeconds, params.thresholdSeconds);
}

/** Inputs of {@link requiredAgents}. */
export interface ErlangCStaffingParams {
  /** Mean arrival rate, calls per hour (>= 0). */
  arrivalRatePerHour: number;
  /** Mean handle time in seconds (> 0). */
  meanHandleSeconds: number;
  /** Required service level as a fraction in [0, 1), e.g. 0.8. */
  targetServiceLevel: number;
  /** Service-level threshold `T` in seconds (>= 0), e.g. 20. */
  thresholdSeconds: number;
  /** Optional cap on occupancy `A/c`, fraction in (0, 1], e.g. 0.85. */
  maxOccupancy?: number;
}

/**
 * Smallest number of agents `c` for which the Erlang C service level
 * `P(W <= thresholdSeconds)` is at least `targetServiceLevel`, the queue is stable,
 * and — if given — occupancy `A/c <= maxOccupancy`. Raw agents on the phones: no
 * shrinkage is applied. Returns 0 when there is no traffic.
 *
 * @throws RangeError naming the offending parameter on invalid input.
 */
export function requiredAgents(params: ErlangCStaffingParams): number {
  if (params === null || typeof params !== 'object') throw new TypeError('parameters must be an object');
  requireNonNegativeFinite('arrivalRatePerHour', params.arrivalRatePerHour);
  requirePositiveFinite('meanHandleSeconds', params.meanHandleSeconds);
  requireTargetFraction('targetServiceLevel', params.targetServiceLevel);
  requireNonNegativeFinite('thresholdSeconds', params.thresholdSeconds);
  if (params.maxOccupancy !== undefined) requireCapFraction('maxOccupancy', params.maxOccupancy);
  const a = offeredLoad(params.arrivalRatePerHour, params.meanHandleSeconds);
  if (a === 0) return 0;
  const maxOccupancy = params.maxOccupancy ?? 1;

  // No smaller c can be stable, nor (up to rounding) meet the occupancy cap.
  let c = Math.max(Math.floor(a) + 1, Math.floor(a / maxOccupancy) - 1);
  let b = erlangBUnchecked(a, c);
  // SL increases with c and reaches 1.0 in floating point once C underflows, and
  // A/c decreases to 0, so this loop terminates for every valid target.
  for (;;) {
    const m = erlangCMetricsFromB(a, c, b, params.meanHandleSeconds, params.thresholdSeconds);
    if (m.stable && m.serviceLevel >= params.targetServiceLevel && m.occupancy <= maxOccupancy) return c;
    c += 1;
    const ab = a * b;
    b = ab / (c + ab);
  }
}

// ---------------------------------------------------------------------------
// Erlang A (M/M/c+M)
// ---------------------------------------------------------------------------

/** Inputs of {@link erlangAMetrics}. */
export interface ErlangAParams extends QueueParams {
  /**
   * Mean caller patience `1/θ` in seconds (> 0). Patience is exponentially distributed.
   * `Infinity` means nobody abandons and reduces the model to Erlang C.
   */
  meanPatienceSeconds: number;
  /** Service-level threshold `T` in seconds (>= 0). */
  thresholdSeconds: number;
}

/**
 * Steady-state Erlang A (M/M/c+M) performance measures. "Wait" `W` is the time an
 * arrival spends in queue: until answered, or until it abandons.
 */
export interface ErlangAMetrics {
  /** Offered load `A` in Erlangs. */
  trafficErlangs: number;
  /** Number of agents `c`. */
  agents: number;
  /** Probability that an arriving call has to wait at all, `P(W > 0)`. */
  probWait: number;
  /** Fraction of arrivals that abandon, `P(Ab)`. */
  probAbandon: number;
  /** Fraction of arrivals that are answered, `1 - P(Ab)`. */
  probAnswered: number;
  /**
   * Service level: fraction of **all arrivals** that are answered with a wait of at most `T`,
   * `P(answered and W <= T)` — equivalently, the fraction whose wait is `<= T` and who did
   * not abandon. Abandoned calls count against it, even those that hung up within `T`.
   */
  serviceLevel: number;
  /** Fraction of **answered** calls answered within `T`, `P(W <= T | answered)`. */
  serviceLevelOfAnswered: number;
  /**
   * Fraction of arrivals whose wait ended (answered *or* abandoned) within `T`,
   * `P(W <= T)` — i.e. calls abandoned within `T` count as "met".
   */
  probWaitWithinThreshold: number;
  /** Fraction of arrivals that abandoned after waiting at most `T`. */
  probAbandonWithinThreshold: number;
  /** Average speed of answer of **answered** calls, `E[W | answered]`, seconds (zero waits included). */
  asaAnsweredSeconds: number;
  /** Mean wait over all arrivals, abandoned ones counted until they hang up: `E[W] = P(Ab)/θ`. */
  meanWaitSeconds: number;
  /** Mean time to abandon of the abandoned calls, `E[W | abandoned]`, seconds (0 when none abandon). */
  meanWaitOfAbandonedSeconds: number;
  /** Agent occupancy `(1 - P(Ab))·A/c` (0 without agents). */
  occupancy: number;
}

/** Internal: everything Erlang A needs except the ASA series. */
interface ErlangACore {
  /** ln π(c), π(c) = P(exactly c in system). */
  logPiC: number;
  /** ln S, S = Σ_j q(j) = P(W>0)/π(c). */
  logS: number;
  probNoWait: number;
  probWait: number;
  probAbandon: number;
  probAnswered: number;
  serviceLevel: number;
  probWaitWithinThreshold: number;
}

/**
 * `ln(1/B - 1)` for Erlang B value `b = B(c, a)`. When `b` has underflowed (c ≫ a) it is
 * recomputed with the same recurrence in log space: `1/B(k) = 1 + (k/a)·(1/B(k-1))`.
 */
function logInverseErlangBMinusOne(a: number, c: number, b: number): number {
  if (b >= 1) return -Infinity; // c = 0
  if (b > 1e-250) return Math.log1p(-b) - Math.log(b);
  let logInvB = 0; // ln(1/B(0))
  for (let k = 1; k <= c; k++) {
    const z = Math.log(k / a) + logInvB; // ln((k/a)/B(k-1))
    logInvB = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }
  // 1/B - 1 = e^{logInvB} - 1, and logInvB is large here.
  return logInvB + Math.log1p(-Math.exp(-logInvB));
}

/**
 * Core Erlang A evaluation in log space. Requires a > 0, c >= 1, 0 < θ·AHT < ∞.
 * `b` is Erlang B for (a, c); `x = c·patience/AHT`, `y = a·patience/AHT`, `thetaT = T/patience`.
 */
function erlangACore(a: number, c: number, b: number, x: number, y: number, thetaT: number): ErlangACore {
  const logS = logScaledLowerGamma(x, y);
  // Σ_{n<=c} π(n)/π(c) = 1/B, so 1/π(c) = (1/B - 1) + S.
  const logInvBMinus1 = logInverseErlangBMinusOne(a, c, b);
  const logPiC = -logAddExp(logInvBMinus1, logS);
  const probNoWait = clamp01(Math.exp(logPiC + logInvBMinus1));
  const probWait = clamp01(Math.exp(logPiC + logS));
  // P(Ab) = θ·E[Q]/λ = π(c)·(S·(1 - 1/ρ) + 1/ρ), with ρ = y/x = λ/(cμ).
  const invRho = x / y;
  const probAbandon = clamp01(probWait * (1 - invRho) + Math.exp(logPiC) * invRho);
  const probAnswered = 1 - probAbandon;

  // Offered wait V of an arrival that finds j calls queued ahead is a sum of phases with
  // rates cμ + iθ (i = j..0). Summed over the stationary distribution:
  //   P(V > t)                 = π(c)·G(x, y·p)·exp(y(1-p) - x·θt),            p = e^{-θt}
  //   P(answered, 0 < V <= t)  = π(c)·x/(x+1)·[G(x+1, y) - G(x+1, y·p)·exp(y(1-p) - (x+1)·θt)]
  // with G(a, z) = a·e^z·z^{-a}·γ(a, z). A call is answered iff V <= patience τ, and
  // W = min(V, τ).
  const p = Math.exp(-thetaT);
  const yOneMinusP = -y * Math.expm1(-thetaT);
  const logXOverX1 = -Math.log1p(1 / x);
  const answeredAfterWaitAll = Math.exp(logPiC + logXOverX1 + logScaledLowerGamma(x + 1, y));
  const answeredAfterWaitLate = Math.exp(
    logPiC + logXOverX1 + logScaledLowerGamma(x + 1, y * p) + yOneMinusP - (x + 1) * thetaT,
  );
  // SL <= P(answered) holds exactly; enforce it against last-digit rounding.
  const serviceLevel = Math.min(
    probAnswered,
    clamp01(probNoWait + Math.max(0, answeredAfterWaitAll - answeredAfterWaitLate)),
  );
  // Still waiting at T: V > T and τ > T.
  const stillWaiting = Math.exp(logPiC + logScaledLowerGamma(x, y * p) + yOneMinusP - (x + 1) * thetaT);
  const probWaitWithinThreshold = Math.max(serviceLevel, clamp01(1 - stillWaiting));
  return { logPiC, logS, probNoWait, probWait, probAbandon, probAnswered, serviceLevel, probWaitWithinThreshold };
}

const SERIES_TAIL = 1e-18;

/**
 * `R = Σ_{j>=0} q(j+1)·H(j) / Σ_{j>=0} q(j)` with `q(j) = y^j / ((x+1)…(x+j))` and
 * `H(j) = Σ_{i=0..j} 1/(x+1+i)`, summed outward from the peak of `q` so that only
 * O(√(x+y)) terms are needed and nothing overflows.
 *
 * An arrival that finds j calls ahead is answered with probability x/(x+j+1) and
 * `E[V·1{answered}] = x/(x+j+1) · H(j)/θ`; since `q(j)·x/(x+j+1) = (x/y)·q(j+1)`,
 * `E[W·1{answered}] = P(W>0)·(x/y)·R/θ`.
 */
function answeredWaitSeriesRatio(x: number, y: number): number {
  const peak = Math.max(0, Math.floor(y - x));
  const harmonicAtPeak =
    peak <= 10_000
      ? (() => {
          let h = 0;
          for (let i = 0; i <= peak; i++) h += 1 / (x + 1 + i);
          return h;
        })()
      : digamma(x + peak + 2) - digamma(x + 1);
  const budget = 100_000_000;
  let numerator = 0;
  let denominator = 0;

  // Upward from the peak: q(j)/q(peak) decreases monotonically.
  let r = 1;
  let h = harmonicAtPeak;
  for (let j = peak, n = 0; ; j++, n++) {
    const rNext = (r * y) / (x + j + 1);
    denominator += r;
    numerator += rNext * h;
    if (r < denominator * SERIES_TAIL && rNext * h < numerator * SERIES_TAIL) break;
    if (n > budget) throw new Error('Erlang A waiting-time series did not converge');
    r = rNext;
    h += 1 / (x + j + 2);
  }
  // Downward from the peak to j = 0.
  r = 1;
  h = harmonicAtPeak;
  for (let j = peak - 1; j >= 0; j--) {
    const rNext = r; // q(j+1)/q(peak)
    r = (r * (x + j + 1)) / y; // q(j)/q(peak)
    h -= 1 / (x + j + 2); // H(j) = H(j+1) - 1/(x+j+2)
    denominator += r;
    numerator += rNext * h;
    if (r < denominator * SERIES_TAIL && rNext * h < numerator * SERIES_TAIL) break;
  }
  return numerator / denominator;
}

function validateErlangAParams(p: ErlangAParams): void {
  validateQueueParams(p);
  requirePatience('meanPatienceSeconds', p.meanPatienceSeconds);
  requireNonNegativeFinite('thresholdSeconds', p.thresholdSeconds);
}

function erlangAFromErlangC(m: ErlangCMetrics): ErlangAMetrics {
  return {
    trafficErlangs: m.trafficErlangs,
    agents: m.agents,
    probWait: m.probWait,
    probAbandon: 0,
    probAnswered: 1,
    serviceLevel: m.serviceLevel,
    serviceLevelOfAnswered: m.serviceLevel,
    probWaitWithinThreshold: m.serviceLevel,
    probAbandonWithinThreshold: 0,
    asaAnsweredSeconds: m.asaSeconds,
    meanWaitSeconds: m.asaSeconds,
    meanWaitOfAbandonedSeconds: 0,
    occupancy: m.occupancy,
  };
}

/**
 * Erlang A (M/M/c+M) performance measures: probability of waiting, probability of
 * abandonment, service level (several definitions, see {@link ErlangAMetrics}), ASA of
 * answered calls, mean wait, and occupancy `(1 - P(Ab))·A/c`.
 *
 * Always stable (callers abandon), so `agents` may be below the offered load.
 * `meanPatienceSeconds: Infinity` gives the Erlang C values (unstable if `A >= c`).
 *
 * @example
 * erlangAMetrics({ arrivalRatePerHour: 200, meanHandleSeconds: 180, agents: 12,
 *                  meanPatienceSeconds: 60, thresholdSeconds: 20 });
 * @throws RangeError naming the offending parameter on invalid input.
 */
export function erlangAMetrics(params: ErlangAParams): ErlangAMetrics {
  validateErlangAParams(params);
  const { meanHandleSeconds: aht, meanPatienceSeconds: patience, thresholdSeconds: t, agents: c } = params;
  const a = offeredLoad(params.arrivalRatePerHour, aht);
  if (patience === Infinity) return erlangAFromErlangC(erlangCMetrics(params));
  if (a === 0) {
    return erlangAFromErlangC(erlangCMetricsFromB(0, c, c === 0 ? 1 : 0, aht, t));
  }
  if (c === 0) {
    // Everybody waits until they abandon.
    const abandonWithin = -Math.expm1(-t / patience);
    return {
      trafficErlangs: a,
      agents: 0,
      probWait: 1,
      probAbandon: 1,
      probAnswered: 0,
      serviceLevel: 0,
      serviceLevelOfAnswered: 0,
      probWaitWithinThreshold: abandonWithin,
      probAbandonWithinThreshold: abandonWithin,
      asaAnsweredSeconds: Infinity,
      meanWaitSeconds: patience,
      meanWaitOfAbandonedSeconds: patience,
      occupancy: 0,
    };
  }
  const x = (c * patience) / aht; // c·μ/θ
  const y = (a * patience) / aht; // λ/θ
  const b = erlangBUnchecked(a, c);
  const core = erlangACore(a, c, b, x, y, t / patience);
  const probAnswered = core.probAnswered;
  const answeredWaitMass =
    core.probWait === 0 ? 0 : ((core.probWait * (x / y) * answeredWaitSeriesRatio(x, y)) * patience);
  const meanWaitSeconds = core.probAbandon * patience; // E[W] = P(Ab)/θ
  const asaAnsweredSeconds = probAnswered > 0 ? answeredWaitMass / probAnswered : Infinity;
  const meanWaitOfAbandonedSeconds =
    core.probAbandon > 0 ? Math.max(0, meanWaitSeconds - answeredWaitMass) / core.probAbandon : 0;
  return {
    trafficErlangs: a,
    agents: c,
    probWait: core.probWait,
    probAbandon: core.probAbandon,
    probAnswered,
    serviceLevel: core.serviceLevel,
    serviceLevelOfAnswered: probAnswered > 0 ? clamp01(core.serviceLevel / probAnswered) : 0,
    probWaitWithinThreshold: core.probWaitWithinThreshold,
    probAbandonWithinThreshold: clamp01(core.probWaitWithinThreshold - core.serviceLevel),
    asaAnsweredSeconds,
    meanWaitSeconds,
    meanWaitOfAbandonedSeconds,
    occupancy: clamp01((probAnswered * a) / c),
  };
}

/** Inputs of {@link requiredAgentsErlangA}. */
export interface ErlangAStaffingParams {
  /** Mean arrival rate, calls per hour (>= 0). */
  arrivalRatePerHour: number;
  /** Mean handle time in seconds (> 0). */
  meanHandleSeconds: number;
  /** Mean caller patience in seconds (> 0, or Infinity for Erlang C). */
  meanPatienceSeconds: number;
  /**
   * Required service level, fraction in [0, 1): fraction of **all arrivals** answered within
   * `thresholdSeconds` (the `serviceLevel` field of {@link ErlangAMetrics}).
   */
  targetServiceLevel: number;
  /** Service-level threshold `T` in seconds (>= 0). */
  thresholdSeconds: number;
  /** Optional cap on the fraction of arrivals that abandon, in (0, 1]. */
  maxAbandonRate?: number;
  /** Optional cap on occupancy `(1 - P(Ab))·A/c`, in (0, 1]. */
  maxOccupancy?: number;
}

/**
 * Smallest number of agents meeting the Erlang A service-level target and, if given,
 * the abandonment and occupancy caps. Returns 0 when there is no traffic.
 * With `meanPatienceSeconds: Infinity` this is {@link requiredAgents} (Erlang C).
 *
 * @throws RangeError naming the offending parameter on invalid input.
 */
export function requiredAgentsErlangA(params: ErlangAStaffingParams): number {
  if (params === null || typeof params !== 'object') throw new TypeError('parameters must be an object');
  requireNonNegativeFinite('arrivalRatePerHour', params.arrivalRatePerHour);
  requirePositiveFinite('meanHandleSeconds', params.meanHandleSeconds);
  requirePatience('meanPatienceSeconds', params.meanPatienceSeconds);
  requireTargetFraction('targetServiceLevel', params.targetServiceLevel);
  requireNonNegativeFinite('thresholdSeconds', params.thresholdSeconds);
  if (params.maxAbandonRate !== undefined) requireCapFraction('maxAbandonRate', params.maxAbandonRate);
  if (params.maxOccupancy !== undefined) requireCapFraction('maxOccupancy', params.maxOccupancy);

  const { meanHandleSeconds: aht, meanPatienceSeconds: patience, thresholdSeconds: t } = params;
  if (patience === Infinity) {
    const staffing: ErlangCStaffingParams = {
      arrivalRatePerHour: params.arrivalRatePerHour,
      meanHandleSeconds: aht,
      targetServiceLevel: params.targetServiceLevel,
      thresholdSeconds: t,
    };
    if (params.maxOccupancy !== undefined) staffing.maxOccupancy = params.maxOccupancy;
    return requiredAgents(staffing);
  }
  const a = offeredLoad(params.arrivalRatePerHour, aht);
  if (a === 0) return 0;
  const maxAbandon = params.maxAbandonRate ?? 1;
  const maxOccupancy = params.maxOccupancy ?? 1;

  // Answered traffic (1 - P(Ab))·A = E[busy agents] <= c, and SL <= 1 - P(Ab); hence
  // c >= SL·A and c >= (1 - maxAbandon)·A. Start just below those bounds.
  let c = Math.max(1, Math.floor(params.targetServiceLevel * a) - 1, Math.floor((1 - maxAbandon) * a) - 1);
  let b = erlangBUnchecked(a, c);
  const thetaT = t / patience;
  // Every measure tends to its ideal (SL→1, P(Ab)→0, occupancy→0) as c grows: terminates.
  for (;;) {
    const x = (c * patience) / aht;
    const y = (a * patience) / aht;
    const core = erlangACore(a, c, b, x, y, thetaT);
    const occupancy = ((1 - core.probAbandon) * a) / c;
    if (
      core.serviceLevel >= params.targetServiceLevel &&
      core.probAbandon <= maxAbandon &&
      occupancy <= maxOccupancy
    ) {
      return c;
    }
    c += 1;
    const ab = a * b;
    b = ab / (c + ab);
  }
}
