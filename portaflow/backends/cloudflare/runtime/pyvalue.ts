// Python's values in TypeScript, and what every other py*.ts file builds on: their types, exceptions,
// truth, equality, ordering, dict keys and iteration.
//
// None is null, bool a boolean, int and float both a JS number (the IR's static type decides how a float
// prints where it is known; an integral number of unknown type prints as an int: docs/dsl.md), str a JS
// string indexed by code points, list an Array, dict a Map in insertion order whose keys are compared as
// Python compares them (1, 1.0 and True are one key), tuple a PyTuple (zip(), enumerate(), d.items() and
// s.partition() make them: a tuple is not equal to a list, prints with parentheses and is immutable), the
// time of ctx.now() a PyDatetime, a difference of times a PyTimedelta, and a caught exception its PyError.

export type Value =
  | null
  | boolean
  | number
  | string
  | Value[]
  | Map<Value, Value>
  | PyTuple
  | PyDatetime
  | PyTimedelta
  | PyError;

/** A tuple: the pairs of zip()/enumerate()/d.items(), the 3 parts of s.partition(). */
export class PyTuple {
  constructor(readonly items: readonly Value[]) {}
}

/** An aware UTC datetime: milliseconds since the epoch (Cloudflare's clock gives whole ones) and the
 *  microseconds past the millisecond (0-999) that adding a timedelta may give. */
export class PyDatetime {
  constructor(
    readonly ms: number,
    readonly us = 0,
  ) {}

  /** Microseconds since the epoch. */
  get micros(): bigint {
    return BigInt(this.ms) * 1000n + BigInt(this.us);
  }
}

/** A datetime or a timedelta. */
export function isTime(v: Arg): v is PyDatetime | PyTimedelta {
  return v instanceof PyDatetime || v instanceof PyTimedelta;
}

/** A datetime.timedelta, as whole microseconds (a BigInt: 999999999 days are past 2**53 of them). */
export class PyTimedelta {
  constructor(readonly us: bigint) {}
}

/** A float-typed argument where Python wants an int (an index, a width, a bound): the lowering wraps an
 *  expression whose static type is float, so that a float whose value is integral (2.0) still raises
 *  Python's TypeError and error messages name 'float'. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A float-typed expression's value, marked (a value of another type, where the static type was wrong,
 *  stays itself). */
export function F(v: Value): Arg {
  return typeof v === "number" ? new PyFloat(v) : v;
}

/** What a runtime function takes: a value, or a float-typed one marked by the lowering. */
export type Arg = Value | PyFloat;

// ------------------------------------------------------------------------------------------- errors
const BASE = ["Exception", "BaseException"];
const ARITHMETIC = ["ArithmeticError", ...BASE];
const LOOKUP = ["LookupError", ...BASE];
const OS = ["OSError", ...BASE];
/** The MRO of Python's builtin exceptions, by name (a user's class: its name, Exception, BaseException). */
const MRO: Record<string, string[]> = {
  BaseException: ["BaseException"],
  Exception: BASE,
  ArithmeticError: ARITHMETIC,
  ZeroDivisionError: ["ZeroDivisionError", ...ARITHMETIC],
  OverflowError: ["OverflowError", ...ARITHMETIC],
  FloatingPointError: ["FloatingPointError", ...ARITHMETIC],
  LookupError: LOOKUP,
  KeyError: ["KeyError", ...LOOKUP],
  IndexError: ["IndexError", ...LOOKUP],
  ValueError: ["ValueError", ...BASE],
  UnicodeError: ["UnicodeError", "ValueError", ...BASE],
  JSONDecodeError: ["JSONDecodeError", "ValueError", ...BASE],
  TypeError: ["TypeError", ...BASE],
  AttributeError: ["AttributeError", ...BASE],
  NameError: ["NameError", ...BASE],
  RuntimeError: ["RuntimeError", ...BASE],
  NotImplementedError: ["NotImplementedError", "RuntimeError", ...BASE],
  RecursionError: ["RecursionError", "RuntimeError", ...BASE],
  AssertionError: ["AssertionError", ...BASE],
  OSError: OS,
  TimeoutError: ["TimeoutError", ...OS],
  EventTimeout: ["EventTimeout", "TimeoutError", ...OS], // portaflow's: a wait's raise_on_timeout
  ConnectionError: ["ConnectionError", ...OS],
  PermissionError: ["PermissionError", ...OS],
  FileNotFoundError: ["FileNotFoundError", ...OS],
  StopIteration: ["StopIteration", ...BASE],
  KeyboardInterrupt: ["KeyboardInterrupt", "BaseException"],
  SystemExit: ["SystemExit", "BaseException"],
};

/** A Python exception: ``type`` its class name, ``message`` its str(), ``mro`` the names of its classes
 *  (what ``except`` matches on). */
export class PyError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly mro: readonly string[],
  ) {
    super(message);
    this.name = type;
  }
}

/** A step that failed for good, as the local engine's StepFailed: its message is the step's error's
 *  message, ``errorType`` that error's class name, ``mro`` that error's classes (``except ValueError``
 *  catches a step that failed with a ValueError, as locally). */
export class StepFailed extends PyError {
  constructor(
    readonly step: string,
    readonly attempts: number,
    readonly errorType: string,
    readonly errorMessage: string,
    mro: readonly string[],
  ) {
    super("StepFailed", errorMessage, mro.length > 0 ? mro : mroOf(errorType));
  }
}

export function mroOf(type: string): string[] {
  return MRO[type] ?? [type, ...BASE];
}

/** ``raise Type(message)`` (``message`` null: ``raise Type``): ``message`` is the exception's str(), as the IR
 *  gives it (for ``raise KeyError(k)`` the frontend already wrote the key's repr). */
export function error(type: string, message: string | null): PyError {
  return new PyError(type, message ?? "", mroOf(type));
}

/** An error the runtime raises, with its message already as Python's str() of it. */
export function raise(type: string, message: string): PyError {
  return new PyError(type, message, mroOf(type));
}

export function stepFailed(
  step: string,
  attempts: number,
  type: string,
  message: string,
  mro: readonly string[],
): StepFailed {
  return new StepFailed(step, attempts, type, message, mro);
}

/** An event delivered as a failure (``portaflow signal --error TYPE:MESSAGE``), as the local engine's
 *  EventFailed: its class is named ``type`` and derives from EventFailed, so ``except EventFailed`` and an
 *  ``except`` naming ``type`` (or, through the compiler's list of subclasses, one of its bases) catch it. */
export class EventFailed extends PyError {
  constructor(
    readonly event: string,
    type: string,
    message: string,
  ) {
    super(type, message, [type, "EventFailed", "Exception", "BaseException"]);
  }
}

export function eventFailed(event: string, type: string, message: string): EventFailed {
  return new EventFailed(event, type, message);
}

export function typeError(message: string): PyError {
  return raise("TypeError", message);
}

// -------------------------------------------------------------------------------------------- types
/** Python's type(x).__name__ as error messages name it (``datetime.datetime``: CPython's tp_name). */
export function typeName(v: Arg): string {
  if (v === null) return "NoneType";
  if (v instanceof PyFloat) return "float";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float";
    case "string":
      return "str";
  }
  if (Array.isArray(v)) return "list";
  if (v instanceof Map) return "dict";
  if (v instanceof PyTuple) return "tuple";
  if (v instanceof PyDatetime) return "datetime.datetime";
  if (v instanceof PyTimedelta) return "datetime.timedelta";
  if (v instanceof PyError) return v instanceof StepFailed ? v.errorType : v.type;
  return "object";
}

/** The value of an argument (a float-typed one unwrapped). */
export function unbox(v: Arg): Value {
  return v instanceof PyFloat ? v.value : v;
}

export function isNumber(v: Arg): v is number | boolean | PyFloat {
  return typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat;
}

/** An int where Python wants one (an index, a count, a width): a bool is one; a float is not. */
export function isInt(v: Arg): v is number | boolean {
  return typeof v === "boolean" || (typeof v === "number" && Number.isInteger(v));
}

/** ``operator.index(v)`` with Python's TypeError ("'float' object cannot be interpreted as an integer"). */
export function asIndex(v: Arg): number {
  if (!isInt(v)) throw typeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  return Number(v);
}

// ---------------------------------------------------------------------------------------- truthiness
export function truthy(v: Arg): boolean {
  if (v === null) return false;
  if (v instanceof PyFloat) return v.value !== 0;
  switch (typeof v) {
    case "boolean":
      return v;
    case "number":
      return v !== 0; // NaN is true, as in Python
    case "string":
      return v.length > 0;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (v instanceof PyTuple) return v.items.length > 0;
  if (v instanceof PyTimedelta) return v.us !== 0n;
  return true;
}

// ---------------------------------------------------------------------------------------- equality
/** Python's ``==``: numbers across int/float/bool, sequences and dicts element by element. */
export function eq(a: Arg, b: Arg): boolean {
  a = unbox(a);
  b = unbox(b);
  if (a === b) return true;
  if (isNumber(a) && isNumber(b)) return Number(a) === Number(b);
  if (Array.isArray(a)) return Array.isArray(b) && sameItems(a, b);
  if (a instanceof PyTuple) return b instanceof PyTuple && sameItems(a.items, b.items);
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      const other = dictLookup(b, k);
      if (other === undefined || !(other[1] === v || eq(v, other[1]))) return false;
    }
    return true;
  }
  if (a instanceof PyDatetime) return b instanceof PyDatetime && a.ms === b.ms && a.us === b.us;
  if (a instanceof PyTimedelta) return b instanceof PyTimedelta && a.us === b.us;
  return false;
}

function sameItems(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i] || eq(a[i], b[i]))) return false; // identity first
  return true;
}

// ---------------------------------------------------------------------------------------- ordering
export type Order = "<" | "<=" | ">" | ">=";

/** Strings by code point: UTF-16 order is code point order except surrogates against U+E000..U+FFFF. */
export function compareStr(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800;
      if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** ``a <op> b`` with Python's rules: numbers, strings by code point, lists and tuples lexicographically
 *  (the first items that differ decide, by the same operator), datetimes; TypeError for anything else. */
export function order(op: Order, a: Arg, b: Arg): boolean {
  const x = unbox(a);
  const y = unbox(b);
  if (isNumber(x) && isNumber(y)) return cmpNum(op, Number(x), Number(y));
  if (typeof x === "string" && typeof y === "string") return cmpNum(op, compareStr(x, y), 0);
  if (Array.isArray(x) && Array.isArray(y)) return orderItems(op, x, y);
  if (x instanceof PyTuple && y instanceof PyTuple) return orderItems(op, x.items, y.items);
  if (x instanceof PyDatetime && y instanceof PyDatetime) return cmpBig(op, x.micros, y.micros);
  if (x instanceof PyTimedelta && y instanceof PyTimedelta) return cmpBig(op, x.us, y.us);
  throw typeError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

function cmpBig(op: Order, x: bigint, y: bigint): boolean {
  return cmpNum(op, x < y ? -1 : x > y ? 1 : 0, 0);
}

function cmpNum(op: Order, x: number, y: number): boolean {
  switch (op) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
  }
}

function orderItems(op: Order, a: readonly Value[], b: readonly Value[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (!(a[i] === b[i] || eq(a[i], b[i]))) return order(op, a[i], b[i]);
  }
  return cmpNum(op, a.length, b.length);
}

export function lt(a: Arg, b: Arg): boolean {
  return order("<", a, b);
}

// ---------------------------------------------------------------------------------------- dict keys
/** Python's TypeError for a key that cannot be hashed (a list, a dict, a tuple holding one). */
export function checkHashable(k: Value): void {
  if (Array.isArray(k) || k instanceof Map) throw typeError(`unhashable type: '${typeName(k)}'`);
  if (k instanceof PyTuple) for (const item of k.items) checkHashable(item);
}

/** [the key as stored, its value] of the entry whose key equals ``k``, or undefined. A key that is not
 *  hashable raises Python's TypeError. */
export function dictLookup(m: Map<Value, Value>, k: Arg): [Value, Value] | undefined {
  const key = unbox(k);
  if (typeof key === "string" || key === null) return m.has(key) ? [key, m.get(key) as Value] : undefined;
  if (typeof key === "number" || typeof key === "boolean") {
    const n = Number(key);
    for (const cand of n === 1 ? [n, true] : n === 0 ? [n, false] : [n]) {
      if (m.has(cand)) return [cand, m.get(cand) as Value];
    }
    return undefined;
  }
  checkHashable(key);
  for (const [stored, v] of m) if (eq(stored, key)) return [stored, v];
  return undefined;
}

/** ``d[k] = v``: an equal key already there keeps its place and its first spelling, as in Python. */
export function dictSet(m: Map<Value, Value>, k: Value, v: Value): void {
  const found = dictLookup(m, k);
  m.set(found === undefined ? k : found[0], v);
}

export function dictFrom(pairs: ReadonlyArray<readonly [Value, Value]>): Map<Value, Value> {
  const m = new Map<Value, Value>();
  for (const [k, v] of pairs) dictSet(m, k, v);
  return m;
}

// ---------------------------------------------------------------------------------------- iteration
/** The code points of a string. */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Whether ``s`` holds a surrogate (an astral character): then its UTF-16 indexes are not Python's. */
export function hasSurrogate(s: string): boolean {
  return /[\ud800-\udfff]/.test(s);
}

/** Python's iteration of ``v`` as an array: a list's items, a str's code points, a dict's keys; Python's
 *  TypeError ("'int' object is not iterable") for the rest. */
export function items(v: Arg): readonly Value[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return codePoints(v);
  if (v instanceof Map) return [...v.keys()];
  if (v instanceof PyTuple) return v.items;
  throw typeError(`'${typeName(v)}' object is not iterable`);
}

/** ``list(v)``: a new list of what iterating ``v`` gives. */
export function list(v?: Arg): Value[] {
  return v === undefined ? [] : [...items(v)];
}

/** ``a, b = v``: Python's unpacking, with its errors. */
export function unpack(v: Value, n: number): Value[] {
  const scalar = v instanceof PyDatetime || v instanceof PyTimedelta;
  if (v === null || typeof v === "number" || typeof v === "boolean" || scalar) {
    throw typeError(`cannot unpack non-iterable ${typeName(v)} object`);
  }
  const got = items(v);
  if (got.length < n) throw raise("ValueError", `not enough values to unpack (expected ${n}, got ${got.length})`);
  if (got.length > n) throw raise("ValueError", `too many values to unpack (expected ${n})`);
  return [...got];
}

/** Python's AttributeError for a method called on a value of another type ("'NoneType' object has no
 *  attribute 'get'"): the receiver of a method typed only at run time. */
export function noAttribute(v: Arg, method: string): PyError {
  return raise("AttributeError", `'${typeName(v)}' object has no attribute '${method}'`);
}

export function asStr(v: Arg, method: string): string {
  if (typeof v !== "string") throw noAttribute(v, method);
  return v;
}

export function asDict(v: Arg, method: string): Map<Value, Value> {
  if (!(v instanceof Map)) throw noAttribute(v, method);
  return v;
}

export function asList(v: Arg, method: string): Value[] {
  if (!Array.isArray(v)) throw noAttribute(v, method);
  return v;
}
