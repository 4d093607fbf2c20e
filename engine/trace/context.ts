/**
 * @file The trace context: the function under construction while a `fn` body runs. There is at
 * most one user trace at a time (Rose has no closures); `withTrace` installs it and always
 * restores the previous state, so an exception thrown by a body leaves nothing stale behind.
 * The context also tracks which variables are in scope (a `vec` body's variables end with it).
 */
import { RoseError, formatMessage } from '../errors.ts';
import { FuncBuilder } from '../ir/builder.ts';
import type { Block, Var } from '../ir/types.ts';

/** A function being traced from a user body. */
export class TraceContext {
  /** The builder of the function under construction. */
  readonly b: FuncBuilder;
  /** Literal cache: per type key, per literal (by identity), the variable holding it. */
  readonly literals = new Map<string, Map<unknown, Var>>();
  /** Literal cache of real numbers other than -0 (the usual literals), by value. */
  readonly reals = new Map<number, Var>();
  /** Index symbols handed to the body, and the variables they stand for. */
  readonly symbols = new Map<symbol, Var>();
  /**
   * Calls traced of functions with an empty result (a backward pass called Rose-style): none,
   * and `fn` skips looking for forward-backward pairs to merge (traced-pairs.ts).
   */
  emptyResultCalls = 0;
  /** Scope id of each of the first `#synced` variables (filled lazily by `#sync`). */
  #scopeOf = new Int32Array(0);
  #synced = 0;
  /** Ids of the scopes currently open, outermost first; 0 is the function body. */
  readonly #open: number[] = [0];
  readonly #openSet = new Set<number>([0]);
  #nextScope = 1;

  constructor(name: string) {
    this.b = new FuncBuilder(name);
  }

  /** Assign every variable created since the last call to the innermost open scope. */
  #sync(): void {
    const scope = this.#open[this.#open.length - 1]!;
    const count = this.b.varCount();
    if (count <= this.#synced) return;
    if (count > this.#scopeOf.length) {
      const grown = new Int32Array(Math.max(64, 2 * count));
      grown.set(this.#scopeOf.subarray(0, this.#synced));
      this.#scopeOf = grown;
    }
    this.#scopeOf.fill(scope, this.#synced, count);
    this.#synced = count;
  }

  /**
   * Trace `body()` into a new block of the builder, in a nested scope: the variables created
   * meanwhile (a loop index made by `body` too) are out of scope once it ends, even when it
   * throws. Return the block and the variable `body` returned.
   */
  traceBlock(body: () => Var): { block: Block; ret: Var } {
    this.#sync(); // what exists now stays in the enclosing scope
    this.b.beginBlock();
    this.#enterScope();
    let ret: Var;
    let block: Block;
    try {
      ret = body();
    } finally {
      this.#exitScope();
      block = this.b.endBlock();
    }
    return { block, ret };
  }

  /** Open a nested scope; variables created since the last `#sync` belong to it. */
  #enterScope(): void {
    const id = this.#nextScope++;
    this.#open.push(id);
    this.#openSet.add(id);
    this.#sync();
  }

  /** Close the innermost nested scope: its variables are out of scope from now on. */
  #exitScope(): void {
    this.#sync();
    const id = this.#open.pop()!;
    this.#openSet.delete(id);
  }

  /** Return true when `v` may be used at the current point of the trace. */
  inScope(v: Var): boolean {
    // before any nested scope is opened every variable is in the function body's
    if (this.#nextScope === 1) return v < this.b.varCount();
    this.#sync();
    if (v >= this.#synced) return false;
    const s = this.#scopeOf[v]!;
    // scope 0, the function body, is always open
    return s === 0 || this.#openSet.has(s);
  }
}

/** The context of the `fn` body being traced, if any. */
let current: TraceContext | undefined;

/** Return the current context; throw `no-context` outside any `fn` body. */
export function getCtx(where: string): TraceContext {
  if (current === undefined)
    throw new RoseError(
      'no-context',
      formatMessage(
        'no `fn` context found',
        where,
        'Call it inside the body of a function defined with `fn(params, ret, body)`',
      ),
    );
  return current;
}

/** Throw `nested-fn` when a user trace is running (Rose has no closures). */
export function assertNoTrace(where: string): void {
  if (current !== undefined)
    throw new RoseError(
      'nested-fn',
      formatMessage(
        "can't define a function while defining another function",
        where,
        'Define every `fn` at the top level and call it from the other body',
      ),
    );
}

/** Run `body` with `ctx` as the current trace; restore the previous state whatever happens. */
export function withTrace<T>(ctx: TraceContext, body: () => T): T {
  const saved = current;
  current = ctx;
  try {
    return body();
  } finally {
    current = saved;
  }
}

/**
 * Check that a symbolic value made in `owner` may be used now; throw `no-context` outside any
 * body and `escaped` in another one. `what` names the kind of value ("array", "struct", ...).
 */
export function checkOwner(owner: TraceContext, what: string, where: string): void {
  const ctx = getCtx(where);
  if (ctx !== owner)
    throw new RoseError(
      'escaped',
      formatMessage(
        `${what} escaped its context: it was made in another function's body`,
        where,
        'Pass it in as a parameter instead of capturing it',
      ),
    );
}
