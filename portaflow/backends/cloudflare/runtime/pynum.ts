// Python's arithmetic: + - * / // % ** and the unary operators, with Python's result types, signs and
// errors, and the exact binary arithmetic (BigInt) that float rounding and text need.
//
// ``f`` is what the IR's static types know: bit 1 the left operand is a float, bit 2 the right one. A
// float whose value is integral is a JS integer, so without the hint 2.0 // 0 would raise the int's
// ZeroDivisionError message; with neither bit, an operation on two integral numbers is an int's (an
// integral float of unknown type acts as an int: docs/dsl.md). Int results are never -0.

import { timeArithmetic, timeUnary } from "./pytimedelta";
import {
  type Arg,
  PyTuple,
  type Value,
  isNumber,
  isTime,
  raise,
  typeError,
  typeName,
  unbox,
} from "./pyvalue";

function nameOf(v: Value, isFloat: boolean): string {
  return isFloat && typeof v === "number" ? "float" : typeName(v);
}

function unsupported(op: string, a: Value, b: Value, f: number): never {
  throw typeError(
    `unsupported operand type(s) for ${op}: '${nameOf(a, (f & 1) !== 0)}' and '${nameOf(b, (f & 2) !== 0)}'`,
  );
}

/** Both numbers (bools as ints), and whether Python computes in floats. */
function numbers(a: Value, b: Value, f: number): [number, number, boolean] | undefined {
  if (!isNumber(a) || !isNumber(b)) return undefined;
  const x = Number(a);
  const y = Number(b);
  return [x, y, f !== 0 || !Number.isInteger(x) || !Number.isInteger(y)];
}

/** A datetime or timedelta operation (pytimedelta.ts); TypeError for a mix Python does not define. */
function timed_(op: "+" | "-" | "*" | "/" | "//" | "%", a: Value, b: Value, f: number): Value | undefined {
  if (!isTime(a) && !isTime(b)) return undefined;
  const out = timeArithmetic(op, a, b, (f & 1) !== 0, (f & 2) !== 0);
  return out !== undefined ? out : unsupported(op, a, b, f);
}

export function add(l: Arg, r: Arg, f = 0): Value {
  const a = unbox(l);
  const b = unbox(r);
  const timed = timed_("+", a, b, f);
  if (timed !== undefined) return timed;
  const n = numbers(a, b, f);
  if (n !== undefined) return n[0] + n[1];
  if (typeof a === "string") {
    if (typeof b === "string") return a + b;
    throw typeError(`can only concatenate str (not "${nameOf(b, (f & 2) !== 0)}") to str`);
  }
  if (Array.isArray(a)) {
    if (Array.isArray(b)) return [...a, ...b];
    throw typeError(`can only concatenate list (not "${nameOf(b, (f & 2) !== 0)}") to list`);
  }
  if (a instanceof PyTuple) {
    if (b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
    throw typeError(`can only concatenate tuple (not "${nameOf(b, (f & 2) !== 0)}") to tuple`);
  }
  return unsupported("+", a, b, f);
}

export function sub(l: Arg, r: Arg, f = 0): Value {
  const a = unbox(l);
  const b = unbox(r);
  const timed = timed_("-", a, b, f);
  if (timed !== undefined) return timed;
  const n = numbers(a, b, f);
  if (n === undefined) return unsupported("-", a, b, f);
  return n[0] - n[1];
}

function repeat(seq: Value, count: Value, fCount: boolean): Value | undefined {
  const isSeq = typeof seq === "string" || Array.isArray(seq) || seq instanceof PyTuple;
  if (!isSeq) return undefined;
  if (fCount || !(typeof count === "boolean" || (typeof count === "number" && Number.isInteger(count)))) {
    throw typeError(`can't multiply sequence by non-int of type '${nameOf(count, fCount)}'`);
  }
  const n = Math.max(Number(count), 0);
  if (typeof seq === "string") return seq.repeat(n);
  const src = Array.isArray(seq) ? seq : (seq as PyTuple).items;
  const out: Value[] = [];
  for (let i = 0; i < n; i++) out.push(...src);
  return Array.isArray(seq) ? out : new PyTuple(out);
}

export function mul(l: Arg, r: Arg, f = 0): Value {
  const a = unbox(l);
  const b = unbox(r);
  const timed = timed_("*", a, b, f);
  if (timed !== undefined) return timed;
  const n = numbers(a, b, f);
  if (n !== undefined) return n[2] ? n[0] * n[1] : n[0] * n[1] + 0;
  const left = repeat(a, b, (f & 2) !== 0);
  if (left !== undefined) return left;
  const right = repeat(b, a, (f & 1) !== 0);
  if (right !== undefined) return right;
  return unsupported("*", a, b, f);
}

export function truediv(l: Arg, r: Arg, f = 0): Value {
  const a = unbox(l);
  const b = unbox(r);
  const timed = timed_("/", a, b, f);
  if (timed !== undefined) return timed;
  const n = numbers(a, b, f);
  if (n === undefined) return unsupported("/", a, b, f);
  const [x, y, fl] = n;
  if (y === 0) throw raise("ZeroDivisionError", fl ? "float division by zero" : "division by zero");
  return x / y;
}

/** [floor quotient, remainder with the divisor's sign] of Python's divmod, ints or floats. */
function divmod(x: number, y: number, fl: boolean): [number, number] {
  if (!fl) {
    let r = x % y; // exact for doubles
    let q = (x - r) / y;
    if (r !== 0 && r < 0 !== y < 0) {
      r += y;
      q -= 1;
    }
    return [q + 0, r + 0];
  }
  // CPython's float_divmod
  let mod = x % y;
  let div = (x - mod) / y;
  if (mod) {
    if (y < 0 !== mod < 0) {
      mod += y;
      div -= 1.0;
    }
  } else {
    mod = y < 0 ? -0 : 0;
  }
  let floordiv: number;
  if (div) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = x / y < 0 || Object.is(x / y, -0) ? -0 : 0;
  }
  return [floordiv, mod];
}

export function floordiv(l: Arg, r: Arg, f = 0): Value {
  const a = unbox(l);
  const b = unbox(r);
  const timed = timed_("//", a, b, f);
  if (timed !== undefined) return timed;
  const n = numbers(a, b, f);
  if (n === undefined) return unsupported("//", a, b, f);
  const [x, y, fl] = n;
  if (y === 0) throw raise("ZeroDivisionError", fl ? "float floor division by zero" : "integer division or modulo by zero");
  if (fl && (!Number.isFinite(x) || !Number.isFinite(y))) return Math.floor(x / y); // inf, nan
  return divmod(x, y, fl)[0];
}

/** divmod(a, b): ``[a // b, a % b]`` (Python's tuple) with divmod's own messages. */
export function divmodOf(l: Arg, r: Arg, f = 0): Value {
  const a = unbox(l);
  const b = unbox(r);
  const n = numbers(a, b, f);
  if (n === undefined) {
    throw typeError(
      `unsupported operand type(s) for divmod(): '${nameOf(a, (f & 1) !== 0)}' and '${nameOf(b, (f & 2) !== 0)}'`,
    );
  }
  if (n[1] === 0) throw raise("ZeroDivisionError", n[2] ? "float divmod()" : "integer division or modulo by zero");
  return [floordiv(l, r, f), mod(l, r, f)] as Value[];
}

export function mod(l: Arg, r: Arg, f = 0): Value {
  const a = unbox(l);
  const b = unbox(r);
  const timed = timed_("%", a, b, f);
  if (timed !== undefined) return timed;
  if (typeof a === "string") {
    throw typeError("%-formatting of a str is not supported: use an f-string");
  }
  const n = numbers(a, b, f);
  if (n === undefined) return unsupported("%", a, b, f);
  const [x, y, fl] = n;
  if (y === 0) throw raise("ZeroDivisionError", fl ? "float modulo" : "integer modulo by zero");
  if (fl && !Number.isFinite(y) && Number.isFinite(x)) {
    // CPython: fmod(x, inf) is x, then the sign rule
    if (x === 0 || x < 0 === y < 0) return x === 0 ? (y < 0 ? -0 : 0) : x;
    return y;
  }
  return divmod(x, y, fl)[1];
}

const OVERFLOW = "(34, 'Numerical result out of range')";

export function pow(l: Arg, r: Arg, f = 0): Value {
  const a = unbox(l);
  const b = unbox(r);
  const n = numbers(a, b, f);
  if (n === undefined) return unsupported("** or pow()", a, b, f);
  const [x, y, fl] = n;
  if (!fl) {
    if (y >= 0) return x ** y + 0;
    if (x === 0) throw raise("ZeroDivisionError", "0.0 cannot be raised to a negative power");
    const d = x ** -y;
    return Math.abs(d) <= 2 ** 53 ? 1 / d : Math.pow(x, y); // 1 / exact: correctly rounded
  }
  if (x === 0 && y < 0) throw raise("ZeroDivisionError", "0.0 cannot be raised to a negative power");
  if (x < 0 && Number.isFinite(x) && Number.isFinite(y) && !Number.isInteger(y)) {
    throw raise(
      "ValueError",
      "a negative number raised to a fractional power is a complex number, which is no JSON value " +
        "(take the power of abs(x) and handle the sign)",
    );
  }
  if (x === 1 || y === 0) return 1.0; // Python: 1 ** nan and nan ** 0 are 1.0
  const got = Number.isInteger(y) && Math.abs(y) <= 1100 && Number.isFinite(x) ? exactPow(x, y) : x ** y;
  if (!Number.isFinite(got) && Number.isFinite(x) && Number.isFinite(y)) throw raise("OverflowError", OVERFLOW);
  return got;
}

export function neg(v: Arg, f = 0): Value {
  const x = unbox(v);
  const timed = timeUnary("-", x);
  if (timed !== undefined) return timed;
  if (!isNumber(x)) throw typeError(`bad operand type for unary -: '${typeName(x)}'`);
  const n = -Number(x);
  return f || !Number.isInteger(n) ? n : n + 0;
}

export function pos(v: Arg): Value {
  const x = unbox(v);
  const timed = timeUnary("+", x);
  if (timed !== undefined) return timed;
  if (!isNumber(x)) throw typeError(`bad operand type for unary +: '${typeName(x)}'`);
  return Number(x);
}

export function abs(v: Arg): Value {
  const x = unbox(v);
  const timed = timeUnary("abs", x);
  if (timed !== undefined) return timed;
  if (!isNumber(x)) throw typeError(`bad operand type for abs(): '${typeName(v)}'`);
  return Math.abs(Number(x));
}

// ------------------------------------------------------------------------------- exact arithmetic
/** |x| as m * 2**e with m a BigInt (x finite). */
export function decompose(x: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bits = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (bits === 0) return [m, -1074];
  m |= 1n << 52n;
  return [m, bits - 1075];
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** The double nearest to num / den (both > 0), ties to even. */
export function ratToDouble(num: bigint, den: bigint): number {
  let k = Math.max(bitLength(num) - bitLength(den) - 53, -1074);
  for (;;) {
    const [a, b] = k >= 0 ? [num, den << BigInt(k)] : [num << BigInt(-k), den];
    let q = a / b;
    const r = a % b;
    if (q >= 1n << 53n && k > -1074) {
      k += 1;
      continue;
    }
    if (2n * r > b || (2n * r === b && (q & 1n) === 1n)) q += 1n;
    return Number(q) * 2 ** k;
  }
}

/** x ** y for an integral y, correctly rounded from the exact power. */
function exactPow(x: number, y: number): number {
  if (x === 0) return y === 0 ? 1 : Math.pow(x, y);
  const [m, e] = decompose(x);
  const p = m ** BigInt(Math.abs(y));
  const pe = e * Math.abs(y);
  let got: number;
  if (y >= 0) got = pe >= 0 ? ratToDouble(p << BigInt(pe), 1n) : ratToDouble(p, 1n << BigInt(-pe));
  else got = pe >= 0 ? ratToDouble(1n, p << BigInt(pe)) : ratToDouble(1n << BigInt(-pe), p);
  return x < 0 && Math.abs(y) % 2 === 1 ? -got : got;
}
