/**
 * Limited-memory BFGS for smooth unconstrained minimization, with a backtracking (Armijo)
 * line search. The objective is asynchronous so it can read tensors back with `await data()`.
 */

/**
 * Loss and gradient at a point.
 */
export interface LossAndGradient {
  loss: number;
  gradient: Float64Array;
}

/**
 * Options for {@link minimizeLbfgs}.
 */
export interface LbfgsOptions {
  /** Iteration cap (default 500). */
  maxIterations?: number;
  /** Stop when the loss decrease is below `tolerance * max(1, |loss|)` (default 1e-6). */
  tolerance?: number;
  /** Stop when the largest gradient entry is below this (default 1e-6). */
  gradientTolerance?: number;
  /** Correction pairs kept (default 10). */
  memory?: number;
}

/**
 * Where the minimization ended.
 */
export interface LbfgsResult {
  x: Float64Array;
  loss: number;
  /** Largest absolute gradient entry at `x`. */
  gradientMax: number;
  iterations: number;
  evaluations: number;
  /** True when a tolerance was met (false: the iteration cap or a failed line search). */
  converged: boolean;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const maxAbs = (a: Float64Array) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/**
 * Minimizes `f` from `x0`.
 */
export async function minimizeLbfgs(
  f: (x: Float64Array) => Promise<LossAndGradient>,
  x0: Float64Array,
  options: LbfgsOptions = {},
): Promise<LbfgsResult> {
  const maxIter = options.maxIterations ?? 500;
  const tol = options.tolerance ?? 1e-6;
  const gtol = options.gradientTolerance ?? 1e-6;
  const m = options.memory ?? 10;
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let { loss, gradient: g } = await f(x);
  let evaluations = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let iterations = 0;
  let converged = maxAbs(g) <= gtol;
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  while (!converged && iterations < maxIter) {
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let j = S.length - 1; j >= 0; j--) {
      alpha[j] = rho[j] * dot(S[j], d);
      for (let i = 0; i < n; i++) d[i] -= alpha[j] * Y[j][i];
    }
    if (S.length) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < S.length; j++) {
      const beta = rho[j] * dot(Y[j], d);
      for (let i = 0; i < n; i++) d[i] += (alpha[j] - beta) * S[j][i];
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
    }
    // Backtracking line search with the Armijo condition.
    let step = S.length ? 1 : Math.min(1, 1 / Math.max(maxAbs(g), 1e-12));
    let accepted: { x: Float64Array; r: LossAndGradient } | undefined;
    for (let tries = 0; tries < 40; tries++) {
      const xn = new Float64Array(n);
      for (let i = 0; i < n; i++) xn[i] = x[i] + step * d[i];
      const r = await f(xn);
      evaluations++;
      if (Number.isFinite(r.loss) && r.loss <= loss + 1e-4 * step * slope) {
        accepted = { x: xn, r };
        break;
      }
      step *= 0.5;
    }
    iterations++;
    if (!accepted) break; // no decrease possible at this precision
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = accepted.x[i] - x[i];
      y[i] = accepted.r.gradient[i] - g[i];
    }
    const decrease = loss - accepted.r.loss;
    x = accepted.x;
    loss = accepted.r.loss;
    g = accepted.r.gradient;
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    converged = maxAbs(g) <= gtol || decrease <= tol * Math.max(1, Math.abs(loss));
  }
  return { x, loss, gradientMax: maxAbs(g), iterations, evaluations, converged };
}
