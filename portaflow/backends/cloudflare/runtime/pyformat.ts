// f-string fields and round(): the format specs the compiler accepts ("", ",", "d", ",d", ".Nf", ",.Nf"),
// each as Python's format(); fixed-point text and round(x, n) round the exact binary value half to even
// (f"{2.675:.2f}" is '2.67': 2.675 is 2.67499999... in binary), as CPython's dtoa does.

import { decompose } from "./pynum";
import { floatRepr, intText, repr, str } from "./pyrepr";
import {
  type Arg,
  PyDatetime,
  PyTimedelta,
  PyFloat,
  type Value,
  asIndex,
  isNumber,
  raise,
  typeError,
  typeName,
  unbox,
} from "./pyvalue";

/** |x| * 10**n rounded half to even to an integer (x finite, n >= 0). */
function scaledDigits(x: number, n: number): bigint {
  const [m, e] = decompose(x);
  const p = 10n ** BigInt(n);
  if (e >= 0) return (m << BigInt(e)) * p;
  const num = m * p;
  const den = 1n << BigInt(-e);
  let q = num / den;
  const r = num % den;
  if (2n * r > den || (2n * r === den && (q & 1n) === 1n)) q += 1n;
  return q;
}

/** Python's format(x, ".{n}f"). */
export function fixed(x: number, n: number): string {
  if (!Number.isFinite(x)) return floatRepr(x);
  const digits = scaledDigits(x, n).toString().padStart(n + 1, "0");
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  return n === 0 ? sign + digits : `${sign}${digits.slice(0, -n)}.${digits.slice(-n)}`;
}

/** Thousands separators in the integer part of a number's text. */
function group(text: string): string {
  const m = /^(-?)(\d+)(.*)$/s.exec(text);
  if (m === null) return text;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + m[3];
}

const SPEC = /^(,?)(?:\.(\d+)(f))?$|^(,?)(d)$/;

/** format(v, spec) for the specs the compiler accepts; ``isFloat``: the field's static type is float. */
export function format(v: Arg, spec: string, isFloat = false): string {
  const x = unbox(v);
  if (spec === "") return isFloat && typeof x === "number" ? floatRepr(x) : str(x);
  if (x instanceof PyTimedelta) throw typeError("unsupported format string passed to datetime.timedelta.__format__");
  const m = SPEC.exec(spec);
  if (m === null) throw raise("ValueError", `Invalid format specifier '${spec}' for object of type '${typeName(v)}'`);
  const comma = (m[1] || m[4]) === ",";
  const code = m[3] ?? m[5] ?? "";
  if (x instanceof PyDatetime) return spec; // datetime.__format__ is strftime: these specs hold no %
  if (typeof x === "string") {
    if (code) throw raise("ValueError", `Unknown format code '${code}' for object of type 'str'`);
    throw raise("ValueError", "Cannot specify ',' with 's'.");
  }
  if (!isNumber(x)) throw typeError(`unsupported format string passed to ${typeName(x)}.__format__`);
  const n = Number(x);
  const float = isFloat || v instanceof PyFloat || !Number.isInteger(n) || Object.is(n, -0);
  if (code === "f") {
    const text = fixed(n, Number(m[2]));
    return comma ? group(text) : text;
  }
  if (code === "d" && float) {
    throw raise("ValueError", `Unknown format code 'd' for object of type 'float'`);
  }
  const text = float ? floatRepr(n) : intText(n);
  return comma && !/[en]/.test(text) ? group(text) : text;
}

/** An f-string field: ``conv`` "r" or "s" first (format of the text), then the spec. */
export function field(v: Arg, spec: string, conv: "" | "r" | "s", isFloat = false): string {
  if (conv === "") return format(v, spec, isFloat);
  const text = conv === "r" ? (isFloat && typeof unbox(v) === "number" ? floatRepr(unbox(v) as number) : repr(v)) : isFloat ? format(v, "", true) : str(v);
  return format(text, spec);
}

// -------------------------------------------------------------------------------------------- round
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f; // exact below 2**52, and x is integral above
  if (diff > 0.5 || (diff === 0.5 && f % 2 !== 0)) return f + 1;
  return f;
}

function toInt(x: number): number {
  if (Number.isNaN(x)) throw raise("ValueError", "cannot convert float NaN to integer");
  if (!Number.isFinite(x)) throw raise("OverflowError", "cannot convert float infinity to integer");
  return x + 0;
}

/** round(x) (an int) or round(x, ndigits) (x's type), half to even on the exact binary value. */
export function round(v: Arg, nd?: Arg, isFloat = false): Value {
  const x = unbox(v);
  if (!isNumber(x)) throw typeError(`type ${typeName(v)} doesn't define __round__ method`);
  const n = Number(x);
  const float = isFloat || v instanceof PyFloat || !Number.isInteger(n);
  if (nd === undefined || nd === null) return float ? toInt(roundHalfEven(n)) : n + 0;
  const digits = asIndex(nd);
  if (!float) return roundInt(n, digits);
  if (!Number.isFinite(n) || n === 0) return n;
  if (digits > 323) return n;
  if (digits < -308) return n < 0 ? -0 : 0;
  let got: number;
  if (digits >= 0) got = Number(fixed(n, digits));
  else {
    const p = 10n ** BigInt(-digits);
    const [m, e] = decompose(n);
    const [num, den] = e >= 0 ? [m << BigInt(e), p] : [m, p << BigInt(-e)];
    let q = num / den;
    const r = num % den;
    if (2n * r > den || (2n * r === den && (q & 1n) === 1n)) q += 1n;
    got = Number(q * p) * (n < 0 ? -1 : 1);
    if (got === 0 && n < 0) got = -0;
  }
  if (!Number.isFinite(got)) throw raise("OverflowError", "rounded value too large to represent");
  return got;
}

function roundInt(n: number, digits: number): number {
  if (digits >= 0) return n + 0;
  const p = 10n ** BigInt(-digits);
  const big = BigInt(n);
  const sign = big < 0n ? -1n : 1n;
  const a = big * sign;
  let q = a / p;
  const r = a % p;
  if (2n * r > p || (2n * r === p && (q & 1n) === 1n)) q += 1n;
  return Number(q * p * sign) + 0;
}

