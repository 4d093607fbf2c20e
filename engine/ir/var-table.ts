/**
 * @file `VarTable`: the variables of a function being built (their type ids, its type table and
 * its params), and `VarDeclarer`, the part of the two builders (`FuncBuilder` for the object IR,
 * `DenseBuilder` for the dense one) that declares them.
 */
import { internal } from '../errors.ts';
import {
  TypeTableBuilder,
  maxTypeId,
  newTypeIds,
  type Ty,
  type TypeIds,
  type Var,
} from './types.ts';

/** The types of a function whose variables a transform declares (see `VarTable.reserveFrom`). */
export interface VarSource {
  readonly types: readonly Ty[];
  readonly varTypes: TypeIds;
}

/**
 * The variables of one function being built. Their type ids live in an array with spare room at
 * the end (a function may have millions of variables), trimmed by `finish`.
 */
export class VarTable {
  /** The function's name, for error messages. */
  readonly name: string;
  /** Parameter variables, in order. */
  readonly params: Var[] = [];
  /** The type table (see `TransparentFunc.types`). */
  readonly #table = new TypeTableBuilder();
  /** Type id of each variable; only the first `count` entries are defined. */
  #varTypes: TypeIds = new Uint8Array(16);
  /** The largest id `#varTypes` can hold (see `maxTypeId`). */
  #maxId = maxTypeId(this.#varTypes);
  #count = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Return how many variables are declared. */
  count(): number {
    return this.#count;
  }

  /** Return the type of `v`. */
  typeOf(v: Var): Ty {
    if (!(v < this.#count)) internal(`variable %${v} does not exist in ${this.name}`);
    return this.#table.types[this.#varTypes[v]!]!;
  }

  /** Return the id of type `t` in the type table, adding it when new. */
  typeId(t: Ty): number {
    const id = this.#table.idOf(t);
    if (id > this.#maxId) this.#resize(this.#varTypes.length); // wider ids
    return id;
  }

  /** Return a new variable of type `t`. */
  fresh(t: Ty): Var {
    const v = this.#count++;
    const id = this.typeId(t);
    if (v >= this.#varTypes.length) this.#resize(2 * v);
    this.#varTypes[v] = id;
    return v;
  }

  /** Move the type ids to an array of `capacity`, wide enough for the type table. */
  #resize(capacity: number): void {
    const ids = newTypeIds(capacity, this.#table.types.length);
    ids.set(this.#varTypes.subarray(0, this.#count));
    this.#setVarTypes(ids);
  }

  /** Keep the type ids in `ids`. */
  #setVarTypes(ids: TypeIds): TypeIds {
    this.#maxId = maxTypeId(ids);
    return (this.#varTypes = ids);
  }

  /** Declare the next parameter, of type `t`. */
  param(t: Ty): Var {
    const v = this.fresh(t);
    this.params.push(v);
    return v;
  }

  /** Declare the existing variable `v` (see `reserveFrom`) as the next parameter; return it. */
  paramVar(v: Var): Var {
    this.typeOf(v);
    this.params.push(v);
    return v;
  }

  /**
   * Declare the variables of `src` with the same numbers, on a table without any: variable v
   * gets type `map(t)` of its type `t` in `src`, or `flaggedMap(t)` where `flags[v]` is 1.
   * `spare`: room for new ones.
   */
  reserveFrom(
    src: VarSource,
    map: (t: Ty) => Ty,
    spare: number,
    flags?: Uint8Array,
    flaggedMap: (t: Ty) => Ty = map,
  ): void {
    if (this.#count !== 0) internal(`reserveFrom on a builder with variables (${this.name})`);
    const from = src.varTypes;
    const count = from.length;
    this.#count = count;
    // the new id of each source type id, by either map (a table may gain types no variable has)
    const mapIds = (m: (t: Ty) => Ty) => Int32Array.from(src.types, (t) => this.#table.idOf(m(t)));
    const plain = mapIds(map);
    const flagged = flags === undefined ? plain : mapIds(flaggedMap);
    const ids = this.#setVarTypes(newTypeIds(count + spare, this.#table.types.length));
    if (flags !== undefined)
      for (let v = 0; v < count; v++) ids[v] = (flags[v] === 1 ? flagged : plain)[from[v]!]!;
    // every id kept (e.g. the JVP of a function without tangents): one copy
    else if (plain.every((id, k) => id === k)) ids.set(from);
    else for (let v = 0; v < count; v++) ids[v] = plain[from[v]!]!;
  }

  /** Return the finished type table and type ids (the table must not be used afterwards). */
  finish(): VarSource {
    const n = this.#count;
    const ids = this.#varTypes;
    // the array, or a view of its used part while at most an eighth is spare, else a copy of it
    const spare = ids.length - n;
    const varTypes = spare === 0 ? ids : spare <= n >> 3 ? ids.subarray(0, n) : ids.slice(0, n);
    return { types: this.#table.types, varTypes };
  }
}

/** What both builders have: a name, and the methods that declare variables (in `vars`). */
export abstract class VarDeclarer {
  readonly name: string;
  /** Parameter variables, in order (the variable table's). */
  readonly params: Var[];
  /** The variables: their types, the type table (see `TransparentFunc.types`). */
  protected readonly vars: VarTable;

  constructor(name: string) {
    this.name = name;
    this.vars = new VarTable(name);
    this.params = this.vars.params;
  }

  /** Return how many variables are declared. */
  varCount(): number {
    return this.vars.count();
  }

  /** Return the type of `v`. */
  typeOf(v: Var): Ty {
    return this.vars.typeOf(v);
  }

  /** Return the id of type `t` in this function's type table, adding it when new. */
  typeId(t: Ty): number {
    return this.vars.typeId(t);
  }

  /** Return a new variable of type `t` with no defining instruction (a loop index, a param). */
  fresh(t: Ty): Var {
    return this.vars.fresh(t);
  }

  /** Declare the next parameter, of type `t`. */
  param(t: Ty): Var {
    return this.vars.param(t);
  }

  /** Declare the existing variable `v` (see `reserveFrom`) as the next parameter; return it. */
  paramVar(v: Var): Var {
    return this.vars.paramVar(v);
  }

  /**
   * Declare the variables of `src` with the same numbers (see `VarTable.reserveFrom`). A
   * transform that keeps its input's variable numbers declares them first, then defines them
   * (and copies unchanged instructions as they are). `spare`: room for new ones.
   */
  reserveFrom(
    src: VarSource,
    map: (t: Ty) => Ty,
    spare: number,
    flags?: Uint8Array,
    flaggedMap: (t: Ty) => Ty = map,
  ): void {
    this.vars.reserveFrom(src, map, spare, flags, flaggedMap);
  }
}
