// datetime.timedelta and the arithmetic of datetimes, as CPython's _datetimemodule.c does it: whole
// microseconds (BigInt), normalised to days/seconds/microseconds, products and quotients rounded half to
// even, and its OverflowError and ZeroDivisionError messages.

import {
  type Arg,
  PyDatetime,
  PyTimedelta,
  type Value,
  isNumber,
  noAttribute,
  raise,
  typeError,
  typeName,
} from "./pyvalue";

const US_PER_SECOND = 1_000_000n;
const US_PER_DAY = 86_400n * US_PER_SECOND;
const MAX_DAYS = 999_999_999n;
const INT_MAX = 2_147_483_647n; // CPython converts the days to a C int first
// datetime.min and the microsecond after datetime.max, since the epoch (UTC)
const MIN_DATETIME = -62_135_596_800n * US_PER_SECOND;
const END_DATETIME = 253_402_300_800n * US_PER_SECOND;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n) && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

function floorMod(a: bigint, b: bigint): bigint {
  return a - floorDiv(a, b) * b;
}

/** a / b rounded to the nearest integer, ties to even (CPython's divide_nearest). */
function divideNearest(a: bigint, b: bigint): bigint {
  if (b === 0n) throw raise("ZeroDivisionError", "integer division or modulo by zero");
  let q = floorDiv(a, b);
  const twice = 2n * (a - q * b); // the remainder has b's sign
  const above = b > 0n ? twice > b : twice < b;
  if (above || (twice === b && q % 2n !== 0n)) q += 1n;
  return q;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** a / b as a float, correctly rounded (Python's int / int). */
export function trueDivide(a: bigint, b: bigint): number {
  if (b === 0n) throw raise("ZeroDivisionError", "division by zero");
  const negative = a < 0n !== b < 0n;
  const x = a < 0n ? -a : a;
  const y = b < 0n ? -b : b;
  // a quotient of 65+ bits with a sticky bit: converting it to a Number rounds once, as Python does
  const shift = Math.max(0, 66 + bitLength(y) - bitLength(x));
  const scaled = x << BigInt(shift);
  const q = (scaled / y) * 2n + (scaled % y === 0n ? 0n : 1n);
  const v = Number(q) / 2 ** (shift + 1);
  return negative ? -v : v;
}

/** A timedelta of ``us`` microseconds, or CPython's OverflowError past +-999999999 days. */
export function delta(us: bigint): PyTimedelta {
  const days = floorDiv(us, US_PER_DAY);
  if (days > INT_MAX || days < -INT_MAX - 1n) throw raise("OverflowError", "Python int too large to convert to C int");
  if (days > MAX_DAYS || days < -MAX_DAYS) {
    throw raise("OverflowError", `days=${days}; must have magnitude <= 999999999`);
  }
  return new PyTimedelta(us);
}

function datetimeAt(micros: bigint): PyDatetime {
  if (micros < MIN_DATETIME || micros >= END_DATETIME) throw raise("OverflowError", "date value out of range");
  return new PyDatetime(Number(floorDiv(micros, 1000n)), Number(floorMod(micros, 1000n)));
}

const WEIGHTS = [US_PER_DAY, US_PER_SECOND, 1n, 1000n, 60n * US_PER_SECOND, 3600n * US_PER_SECOND, 7n * US_PER_DAY];

/** timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks): the frontend passes ints. */
export function timedelta(...args: Arg[]): Value {
  let us = 0n;
  args.forEach((a, i) => {
    if (typeof a === "boolean") us += a ? WEIGHTS[i] : 0n;
    else if (typeof a === "number" && Number.isInteger(a)) us += BigInt(a) * WEIGHTS[i];
    else throw typeError(`unsupported type for timedelta component: ${typeName(a)}`);
  });
  return delta(us);
}

/** [days, seconds, microseconds] as Python normalises them (0 <= seconds < 86400, 0 <= us < 10**6). */
function parts(d: PyTimedelta): [bigint, bigint, bigint] {
  const days = floorDiv(d.us, US_PER_DAY);
  const rest = d.us - days * US_PER_DAY;
  return [days, rest / US_PER_SECOND, rest % US_PER_SECOND];
}

function asTimedelta(v: Arg, name: string): PyTimedelta {
  if (!(v instanceof PyTimedelta)) throw noAttribute(v, name);
  return v;
}

export function timedelta_days(v: Arg): Value {
  return Number(parts(asTimedelta(v, "days"))[0]);
}

export function timedelta_seconds(v: Arg): Value {
  return Number(parts(asTimedelta(v, "seconds"))[1]);
}

export function timedelta_microseconds(v: Arg): Value {
  return Number(parts(asTimedelta(v, "microseconds"))[2]);
}

export function timedelta_total_seconds(v: Arg): Value {
  return trueDivide(asTimedelta(v, "total_seconds").us, US_PER_SECOND);
}

/** str(td): '1 day, 2:03:04.500000', '-1 day, 23:59:59'. */
export function timedeltaStr(d: PyTimedelta): string {
  const [days, seconds, us] = parts(d);
  const pad = (n: bigint): string => String(n).padStart(2, "0");
  let s = `${seconds / 3600n}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  if (days !== 0n) s = `${days} day${days === 1n || days === -1n ? "" : "s"}, ${s}`;
  return us !== 0n ? `${s}.${String(us).padStart(6, "0")}` : s;
}

/** repr(td): 'datetime.timedelta(days=-1, seconds=86399)', 'datetime.timedelta(0)'. */
export function timedeltaRepr(d: PyTimedelta): string {
  const [days, seconds, us] = parts(d);
  const fields: string[] = [];
  if (days !== 0n) fields.push(`days=${days}`);
  if (seconds !== 0n) fields.push(`seconds=${seconds}`);
  if (us !== 0n) fields.push(`microseconds=${us}`);
  return `datetime.timedelta(${fields.length ? fields.join(", ") : "0"})`;
}

/** A float as an exact ratio of integers (float.as_integer_ratio, not reduced: quotients round alike). */
function ratio(x: number): [bigint, bigint] {
  if (Number.isNaN(x)) throw raise("ValueError", "cannot convert NaN to integer ratio");
  if (!Number.isFinite(x)) throw raise("OverflowError", "cannot convert Infinity to integer ratio");
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  const mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  const m = biased === 0 ? mantissa : mantissa | (1n << 52n);
  const e = (biased === 0 ? 1 : biased) - 1075;
  const signed = x < 0 ? -m : m;
  return e >= 0 ? [signed << BigInt(e), 1n] : [signed, 1n << BigInt(-e)];
}

/** A number operand's [numerator, denominator], and whether it is a float (the IR's hint, or a fraction). */
function operand(x: Value, isFloat: boolean): [bigint, bigint, boolean] | undefined {
  if (typeof x === "boolean") return [x ? 1n : 0n, 1n, false];
  if (typeof x !== "number" || !isNumber(x)) return undefined;
  if (!isFloat && Number.isInteger(x)) return [BigInt(x), 1n, false];
  const [n, d] = ratio(x);
  return [n, d, true];
}

type Op = "+" | "-" | "*" | "/" | "//" | "%";

/** ``a op b`` where one side is a datetime or timedelta and Python defines it; undefined where it does not
 *  (the caller raises Python's TypeError). ``fa``/``fb``: the operand is known to be a float. */
export function timeArithmetic(op: Op, a: Value, b: Value, fa: boolean, fb: boolean): Value | undefined {
  const ta = a instanceof PyTimedelta;
  const tb = b instanceof PyTimedelta;
  if (a instanceof PyDatetime) {
    if (op === "-" && b instanceof PyDatetime) return delta(a.micros - b.micros);
    if (tb && (op === "+" || op === "-")) return datetimeAt(op === "+" ? a.micros + b.us : a.micros - b.us);
    return undefined;
  }
  if (ta && b instanceof PyDatetime) return op === "+" ? datetimeAt(b.micros + a.us) : undefined;
  if (ta && tb) {
    switch (op) {
      case "+":
        return delta(a.us + b.us);
      case "-":
        return delta(a.us - b.us);
      case "/":
        return trueDivide(a.us, b.us);
      case "//":
        if (b.us === 0n) throw raise("ZeroDivisionError", "integer division or modulo by zero");
        return Number(floorDiv(a.us, b.us));
      case "%":
        if (b.us === 0n) throw raise("ZeroDivisionError", "integer modulo by zero");
        return delta(floorMod(a.us, b.us));
    }
    return undefined;
  }
  if (ta || tb) {
    const d = (ta ? a : b) as PyTimedelta;
    const n = operand(ta ? b : a, ta ? fb : fa);
    if (n === undefined) return undefined;
    const [num, den, isFloat] = n;
    if (op === "*") return delta(divideNearest(d.us * num, den));
    if (!ta) return undefined; // a number / timedelta
    if (op === "/") return delta(divideNearest(d.us * den, num));
    if (op === "//" && !isFloat) {
      if (num === 0n) throw raise("ZeroDivisionError", "integer division or modulo by zero");
      return delta(floorDiv(d.us, num));
    }
  }
  return undefined;
}

/** -td, +td, abs(td); undefined for a value that is not a timedelta. */
export function timeUnary(op: "-" | "+" | "abs", v: Value): Value | undefined {
  if (!(v instanceof PyTimedelta)) return undefined;
  if (op === "+") return v;
  return delta(op === "-" || v.us < 0n ? -v.us : v.us);
}
