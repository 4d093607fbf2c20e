/**
 * @file The public API of the Rose Kit engine: a superset of Rose 0.4.10's (same names, same
 * semantics), plus built-in math, `grad`, `valueAndGrad`, `hessian`, `pprint` and `RoseError`.
 */
export {
  Bool,
  Dual,
  Null,
  Real,
  Tan,
  Vec,
  struct,
  type Bools,
  type Nat,
  type Nats,
  type Nulls,
  type Reals,
  type Symbolic,
  type Tans,
  type Value,
  type Vecs,
} from './trace/types.ts';
export { fn, opaque, type Fn } from './trace/fn.ts';
export { interp } from './trace/run.ts';
export { compile, compileSync, type Compiled, type CompileOptions } from './wasm/compile.ts';
export { loadOptimizer, type OptimizeLevel } from './wasm/optimize.ts';
export {
  compileValueAndGrad,
  compileValueAndGradSync,
  type CompiledValueAndGrad,
} from './wasm/compile-grad.ts';
export { pprint } from './trace/debug.ts';
export { jvp, vjp, grad, valueAndGrad, hessian } from './trace/autodiff.ts';
export { vec, sum, max, min } from './trace/loops.ts';
export { cond } from './trace/cond.ts';
export {
  select,
  zero,
  add,
  sub,
  mul,
  div,
  neg,
  abs,
  sign,
  sqrt,
  ceil,
  floor,
  trunc,
  eq,
  neq,
  lt,
  leq,
  gt,
  geq,
  not,
  and,
  or,
  xor,
  iff,
  iadd,
  imod,
  ieq,
  ineq,
  ilt,
  ileq,
  igt,
  igeq,
  exp,
  log,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  atan2,
  sinh,
  cosh,
  tanh,
  pow,
  log1p,
  expm1,
  hypot,
  cbrt,
} from './trace/ops.ts';
export { RoseError, type RoseErrorCode } from './errors.ts';
export type { Func, Ty } from './ir/types.ts';
export {
  parseExpression,
  checkParamNames,
  type ParsedExpression,
  type ParseOptions,
  type ExpressionKind,
} from './expr/parser.ts';
export { printExpression } from './expr/print.ts';
export { evaluateExpression, JS_MATH, type MathTable } from './expr/evaluate.ts';
export { expressionEvaluator } from './expr/program.ts';
export {
  lowerExpression,
  lowerObjective,
  lowerConstraint,
  expressionModel,
  type ExpressionFn,
  type LoweredConstraint,
  type ExpressionModel,
  type ExpressionModelSpec,
  type ExpressionSource,
  type ModelParam,
} from './expr/lower.ts';
export { ExpressionError, type SourcePosition } from './expr/diagnostics.ts';
export type { Root as ExpressionRoot, Expr as ExpressionNode, Comparison, Span } from './expr/ast.ts';
export {
  minimize,
  compileMinimizer,
  type MinimizeOptions,
  type MinimizeResult,
  type MinimizeHooks,
} from './optim/minimize.ts';
export {
  createMinimizer,
  Minimizer,
  type MinimizerState,
  type MinimizerOptions,
  type ConstraintModel,
  type ConstraintKind,
} from './optim/minimizer.ts';
export { objectiveFromCompiled, objectiveFromJs, type Objective } from './optim/objective.ts';
export type { Constraint, Problem, RunIn } from './optim/problem.ts';
export type { MethodName, MethodOptions, ConstraintMethod } from './optim/settings.ts';
export { terminateWorker } from './runtime/terminate.ts';
