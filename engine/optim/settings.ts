/**
 * @file The optimizer's settings: the numeric and method options of `minimize` and
 * `createMinimizer`, their defaults, and their validation. `Settings` is plain data (it travels
 * to a worker inside a `Problem`). Unknown option names, values of the wrong kind or out of range,
 * and options of another method than the chosen one are `RoseError`s (`invalid-value`).
 */
import { RoseError, formatMessage } from '../errors.ts';

/** The optimizer methods. */
export type MethodName = 'lbfgs' | 'adam' | 'gd';

/** How constraints are handled: augmented Lagrangian (default) or Penrose's quadratic penalty. */
export type ConstraintMethod = 'augmented-lagrangian' | 'penalty';

/** Options of the methods and of convergence (all optional; see `DEFAULTS`). */
export interface MethodOptions {
  /** `'lbfgs'` (default), `'adam'` or `'gd'` (gradient descent with momentum). */
  readonly method?: MethodName;
  /** L-BFGS: correction pairs kept (default 10; 17 with the penalty method, as Penrose). */
  readonly history?: number;
  /** L-BFGS: Armijo constant c1 of the line search (default 1e-4; 1e-3 with the penalty method). */
  readonly armijo?: number;
  /** L-BFGS: curvature constant c2 of the strong Wolfe conditions (default 0.9). */
  readonly curvature?: number;
  /** L-BFGS: evaluations allowed per line search (default 30). */
  readonly lineSearchEvaluations?: number;
  /** Adam and gd: the step size (default 1e-3). */
  readonly learningRate?: number;
  /** Adam: decay of the first moment (default 0.9). */
  readonly beta1?: number;
  /** Adam: decay of the second moment (default 0.999). */
  readonly beta2?: number;
  /** Adam: added to the denominator (default 1e-8). */
  readonly epsilon?: number;
  /** gd: fraction of the previous step kept (default 0.9). */
  readonly momentum?: number;
  /** Iterations at most (default 1000 for lbfgs, 10000 for adam and gd). */
  readonly maxIterations?: number;
  /** Stop when the projected gradient's largest entry is <= this times max(1, |f|) (default 1e-6). */
  readonly gradientTolerance?: number;
  /** Stop when no parameter moved more than this times max(1, largest |x|) (default 1e-12). */
  readonly stepTolerance?: number;
  /** Stop when |f - f_previous| <= this times max(1, |f|) (default 1e-12). */
  readonly valueTolerance?: number;
  /** Constraints: the largest violation accepted at the end (default 1e-6). */
  readonly constraintTolerance?: number;
  /** Constraints: `'augmented-lagrangian'` (default) or `'penalty'` (Penrose's, for comparison). */
  readonly constraintMethod?: ConstraintMethod;
  /** Constraints: outer iterations (multiplier or weight updates) at most (default 50). */
  readonly maxOuterIterations?: number;
}

/** Every option resolved to a value. */
export type Settings = { readonly [K in keyof MethodOptions]-?: NonNullable<MethodOptions[K]> };

const METHODS: readonly MethodName[] = ['lbfgs', 'adam', 'gd'];
const CONSTRAINT_METHODS: readonly ConstraintMethod[] = ['augmented-lagrangian', 'penalty'];

/** Options that only one method reads. */
const OWNER: Partial<Record<keyof MethodOptions, readonly MethodName[]>> = {
  history: ['lbfgs'],
  armijo: ['lbfgs'],
  curvature: ['lbfgs'],
  lineSearchEvaluations: ['lbfgs'],
  learningRate: ['adam', 'gd'],
  beta1: ['adam'],
  beta2: ['adam'],
  epsilon: ['adam'],
  momentum: ['gd'],
};

/** Numeric options and their valid ranges: [low, high, low inclusive, high inclusive, integer]. */
const RANGES: Record<string, readonly [number, number, boolean, boolean, boolean]> = {
  history: [1, 1000, true, true, true],
  armijo: [0, 1, false, false, false],
  curvature: [0, 1, false, false, false],
  lineSearchEvaluations: [1, 1000, true, true, true],
  learningRate: [0, Infinity, false, false, false],
  beta1: [0, 1, true, false, false],
  beta2: [0, 1, true, false, false],
  epsilon: [0, Infinity, false, false, false],
  momentum: [0, 1, true, false, false],
  maxIterations: [0, Infinity, true, true, true],
  gradientTolerance: [0, Infinity, false, false, false],
  stepTolerance: [0, Infinity, false, false, false],
  valueTolerance: [0, Infinity, false, false, false],
  constraintTolerance: [0, Infinity, false, false, false],
  maxOuterIterations: [1, Infinity, true, true, true],
};

/** Return `options` resolved against the defaults; throw `invalid-value` on a bad option. */
export function resolveSettings(options: MethodOptions, where: string): Settings {
  const method = options.method ?? 'lbfgs';
  if (!METHODS.includes(method)) throw bad(`unknown method ${JSON.stringify(method)}`, where, `Use one of ${METHODS.join(', ')}`);
  const constraintMethod = options.constraintMethod ?? 'augmented-lagrangian';
  if (!CONSTRAINT_METHODS.includes(constraintMethod))
    throw bad(`unknown constraintMethod ${JSON.stringify(constraintMethod)}`, where, `Use one of ${CONSTRAINT_METHODS.join(', ')}`);
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const owners = OWNER[key as keyof MethodOptions];
    if (owners !== undefined && !owners.includes(method))
      throw bad(`option ${key} belongs to ${owners.join(' and ')}, not to ${method}`, where, `Remove it, or set method: '${owners[0]}'`);
    const range = RANGES[key];
    if (range !== undefined) checkRange(key, value, range, where);
  }
  const penalty = constraintMethod === 'penalty';
  const s: Settings = {
    method,
    history: options.history ?? (penalty ? 17 : 10),
    armijo: options.armijo ?? (penalty ? 1e-3 : 1e-4),
    curvature: options.curvature ?? 0.9,
    lineSearchEvaluations: options.lineSearchEvaluations ?? 30,
    learningRate: options.learningRate ?? 1e-3,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? 1e-8,
    momentum: options.momentum ?? 0.9,
    maxIterations: options.maxIterations ?? (method === 'lbfgs' ? 1000 : 10000),
    gradientTolerance: options.gradientTolerance ?? 1e-6,
    stepTolerance: options.stepTolerance ?? 1e-12,
    valueTolerance: options.valueTolerance ?? 1e-12,
    constraintTolerance: options.constraintTolerance ?? 1e-6,
    constraintMethod,
    maxOuterIterations: options.maxOuterIterations ?? 50,
  };
  if (s.curvature <= s.armijo)
    throw bad(`curvature (${s.curvature}) must be larger than armijo (${s.armijo})`, where, 'The usual values are armijo 1e-4, curvature 0.9');
  return s;
}

/** The names `resolveSettings` knows. */
export const SETTING_NAMES: readonly string[] = [
  'method', 'constraintMethod', ...Object.keys(RANGES),
];

/** Throw unless `value` is a number in `range`. */
function checkRange(
  key: string,
  value: unknown,
  [low, high, lowIn, highIn, integer]: readonly [number, number, boolean, boolean, boolean],
  where: string,
): void {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (lowIn ? value >= low : value > low) &&
    (highIn ? value <= high : value < high) &&
    (!integer || Number.isInteger(value) || value === Infinity);
  if (ok) return;
  const lowText = `${lowIn ? '>=' : '>'} ${low}`;
  const highText = high === Infinity ? '' : ` and ${highIn ? '<=' : '<'} ${high}`;
  throw bad(
    `invalid ${key}: ${describeValue(value)}`,
    where,
    `It must be ${integer ? 'an integer' : 'a number'} ${lowText}${highText}`,
  );
}

/** Return a short description of a user value for messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}

/** Return an `invalid-value` RoseError in the engine's format. */
export function bad(what: string, where: string, fix?: string): RoseError {
  return new RoseError('invalid-value', formatMessage(`invalid value: ${what}`, where, fix));
}
