/**
 * @file A table of pure values by content, for sharing equal computations between two passes
 * joined into one function (interleave.ts): literals, primitives, `index`, `member` and `select`,
 * keyed by their kind, operands and (for literals) type. Numeric hashes, each hit checked for
 * real equality, so no key strings are built per instruction.
 */
import type { Instr, Ty, Var } from '../ir/types.ts';

/** Small numbers for primitive names, assigned on first sight. */
const primCodes = new Map<string, number>();

/** Return `h` mixed with `x` (32-bit). */
function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** Pure values by content: `add` them, then `find` an equal one. */
export class ValueTable {
  private readonly byHash = new Map<number, Instr>();

  constructor(private readonly vars: readonly Ty[]) {}

  /** Remember `instr` if it is a pure value and no equal one is known. */
  add(instr: Instr): void {
    const h = this.hash(instr);
    if (h >= 0 && !this.byHash.has(h)) this.byHash.set(h, instr);
  }

  /** Return the var of a known value equal to `instr`'s, or undefined. */
  find(instr: Instr): Var | undefined {
    const h = this.hash(instr);
    const known = h < 0 ? undefined : this.byHash.get(h);
    return known !== undefined && this.equal(known, instr) ? known.var : undefined;
  }

  /** Return a non-negative hash of a pure value, or -1 for other instructions. */
  private hash({ var: v, expr: e }: Instr): number {
    switch (e.kind) {
      case 'lit': {
        const t = this.vars[v]!;
        const x = typeof e.value === 'number' ? e.value * 4099 : e.value === true ? 1 : e.value === false ? 2 : 3;
        return mix(mix(1, t.kind.charCodeAt(1) + (t.kind === 'fin' ? t.size * 64 : 0)), x | 0) & 0x3fffffff;
      }
      case 'prim': {
        let code = primCodes.get(e.prim);
        if (code === undefined) primCodes.set(e.prim, (code = primCodes.size + 8));
        let h = mix(2, code);
        h = mix(h, e.x);
        if (e.y >= 0) h = mix(h, e.y);
        return h & 0x3fffffff;
      }
      case 'index':
        return mix(mix(3, e.vec), e.index) & 0x3fffffff;
      case 'member':
        return mix(mix(4, e.struct), e.member) & 0x3fffffff;
      case 'select':
        return mix(mix(mix(5, e.cond), e.then), e.els) & 0x3fffffff;
      default:
        return -1;
    }
  }

  /** Return true when the two pure values are equal (same kind, operands, and literal type). */
  private equal(a: Instr, b: Instr): boolean {
    const [x, y] = [a.expr, b.expr];
    switch (x.kind) {
      case 'lit': {
        if (y.kind !== 'lit' || !Object.is(x.value, y.value)) return false;
        const [s, t] = [this.vars[a.var]!, this.vars[b.var]!];
        return s.kind === t.kind && (s.kind !== 'fin' || (t.kind === 'fin' && s.size === t.size));
      }
      case 'prim':
        return y.kind === 'prim' && x.prim === y.prim && x.x === y.x && x.y === y.y;
      case 'index':
        return y.kind === 'index' && x.vec === y.vec && x.index === y.index;
      case 'member':
        return y.kind === 'member' && x.struct === y.struct && x.member === y.member;
      case 'select':
        return y.kind === 'select' && x.cond === y.cond && x.then === y.then && x.els === y.els;
      default:
        return false;
    }
  }
}


