// f-string fields, format(), str.format() and round(): Python's format mini-language for str, int (bool)
// and float, from the spec the compiler parsed; the digits of f, e, g, % and round(x, n) round the exact
// binary value half to even (f"{2.675:.2f}" is '2.67': 2.675 is 2.67499999... in binary), as CPython's
// dtoa does, with BigInt arithmetic.

import { decompose } from "./pynum";
import { floatRepr, repr, str } from "./pyrepr";
import {
  type Arg,
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

/** A format spec as the compiler parsed it (portaflow/compiler/formatspec.py): fields not given are absent;
 *  ``str``/``num``: the fill and alignment of a str and of a number (the 0 flag aligns numbers at "=");
 *  ``errors``: Python's exception for the value's kind, where it raises (``{type}``: its type's name). */
export interface Spec {
  type?: string;
  sign?: string;
  z?: boolean;
  alt?: boolean;
  width?: number;
  grouping?: string;
  group?: number;
  precision?: number;
  str: [string, string];
  num: [string, string];
  errors?: Partial<Record<Kind, [string, string]>>;
}
type Kind = "str" | "int" | "float" | "object";

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** num / den rounded half to even. */
function divRound(num: bigint, den: bigint): bigint {
  let q = num / den;
  const r = num % den;
  if (2n * r > den || (2n * r === den && (q & 1n) === 1n)) q += 1n;
  return q;
}

/** |x| (finite, not 0) to ``p`` significant digits, half to even on the exact binary value (CPython's dtoa
 *  mode 2): the digits and the decimal exponent of the first one. */
function significant(x: number, p: number): [string, number] {
  const [m, e] = decompose(Math.abs(x));
  const [num, den] = e >= 0 ? [m << BigInt(e), 1n] : [m, 1n << BigInt(-e)];
  const atLeast = (k: number): boolean => (k >= 0 ? num >= pow10(k) * den : num * pow10(-k) >= den);
  let k = Math.floor(Math.log10(Math.abs(x)));
  while (!atLeast(k)) k--;
  while (atLeast(k + 1)) k++;
  const s = k - p + 1;
  let q = s >= 0 ? divRound(num, den * pow10(s)) : divRound(num * pow10(-s), den);
  if (q === pow10(p)) {
    q = pow10(p - 1);
    k++;
  }
  return [q.toString(), k];
}

/** CPython's format_float_short layout: the slice [start, end) of the digits padded with zeros on both
 *  sides, the point after position ``decpt``, an exponent when ``useExp``. */
function place(digits: string, decpt: number, useExp: boolean, end: number, dot0: boolean, alt: boolean, e: string): string {
  let exp = 0;
  if (useExp) {
    exp = decpt - 1;
    decpt = 1;
  }
  const start = decpt <= 0 ? decpt - 1 : 0;
  end = Math.max(end, !useExp && dot0 ? decpt + 1 : decpt);
  const at = (i: number): string => (i >= 0 && i < digits.length ? digits[i] : "0");
  let whole = "";
  for (let i = start; i < decpt; i++) whole += at(i);
  let frac = "";
  for (let i = decpt; i < end; i++) frac += at(i);
  let out = frac === "" && !alt ? whole : `${whole}.${frac}`;
  if (useExp) out += `${e}${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return out;
}

/** The unsigned text of |x| for the float presentation types (x finite). */
function floatDigits(x: number, spec: Spec): string {
  const t = spec.type ?? "";
  const alt = spec.alt === true;
  const e = t === "E" || t === "G" ? "E" : "e";
  const ax = Math.abs(x);
  if (t === "f" || t === "F" || t === "%") {
    const n = spec.precision ?? 6;
    const text = fixed(t === "%" ? Math.abs(x * 100) : ax, n);
    return (alt && n === 0 ? `${text}.` : text) + (t === "%" ? "%" : "");
  }
  if (t === "e" || t === "E") {
    const p = spec.precision ?? 6;
    const [digits, k] = ax === 0 ? ["0".repeat(p + 1), 0] : significant(ax, p + 1);
    return place(digits, k + 1, true, p + 1, false, alt, e);
  }
  if (t === "" && spec.precision === undefined) {
    // repr: the shortest digits that read back as x (JavaScript's are the same), exponent from 1e16
    const [mantissa, exponent] = ax.toExponential().split("e");
    const digits = mantissa.replace(".", "");
    const decpt = Number(exponent) + 1;
    return place(digits, decpt, decpt <= -4 || decpt > 16, digits.length, true, alt, e);
  }
  // g, G, and no type with a precision: like g, with a digit after the point
  const p = Math.max(spec.precision ?? 6, 1);
  const dot0 = t === "";
  const [digits, k] = ax === 0 ? ["0", 0] : significant(ax, p);
  const kept = alt ? digits : digits.replace(/0+$/, "") || "0";
  const decpt = k + 1;
  const useExp = decpt <= -4 || decpt > (dot0 ? p - 1 : p);
  return place(kept, decpt, useExp, alt ? p : kept.length, dot0, alt, e);
}

/** Separators between groups of ``size`` digits, with zeros in front up to ``minWidth`` characters where the
 *  spec pads with "0" at "=" (CPython's _PyUnicode_InsertThousandsGrouping: "0,001,234"). */
function groupDigits(digits: string, size: number, sep: string, minWidth: number): string {
  if (sep === "") return digits.padStart(Math.max(minWidth, 1), "0");
  let out = "";
  let remaining = digits.length;
  let min = Math.max(minWidth, 0);
  let first = true;
  for (;;) {
    const len = Math.min(size, Math.max(remaining, min, 1));
    const zeros = Math.max(0, len - remaining);
    const chars = Math.min(remaining, len);
    out = "0".repeat(zeros) + digits.slice(remaining - chars, remaining) + (first ? "" : sep) + out;
    first = false;
    remaining -= chars;
    min -= len;
    if (remaining <= 0 && min <= 0) return out;
    min -= sep.length;
  }
}

const cpLength = (s: string): number => Array.from(s).length;

/** Fill ``text`` to the spec's width: ``align`` "<", ">", "^", or "=" (between ``head`` and the rest). */
function pad(text: string, spec: Spec, [fill, align]: [string, string], head = ""): string {
  const n = (spec.width ?? 0) - cpLength(head) - cpLength(text);
  if (n <= 0) return head + text;
  const left = align === ">" ? n : align === "^" ? Math.floor(n / 2) : 0;
  if (align === "=") return head + fill.repeat(n) + text;
  return fill.repeat(left) + head + text + fill.repeat(n - left);
}

/** A number's text laid out as CPython's calc_number_widths does: sign, prefix, grouped digits, the rest (a
 *  float's point, fraction, exponent, %). */
function number(negative: boolean, prefix: string, digits: string, rest: string, spec: Spec): string {
  const sign = negative ? "-" : spec.sign === "+" ? "+" : spec.sign === " " ? " " : "";
  const [fill, align] = spec.num;
  const head = sign + prefix;
  const minWidth = fill === "0" && align === "=" ? (spec.width ?? 0) - head.length - rest.length : 0;
  const grouped = digits === "" ? "" : groupDigits(digits, spec.group ?? 3, spec.grouping ?? "", minWidth);
  return pad(grouped + rest, spec, spec.num, head);
}

const PREFIX: Record<string, string> = { b: "0b", o: "0o", x: "0x", X: "0X" };
const RADIX: Record<string, number> = { b: 2, o: 8, x: 16, X: 16 };

function formatFloat(x: number, spec: Spec): string {
  const upper = spec.type === "E" || spec.type === "F" || spec.type === "G";
  let body: string;
  if (!Number.isFinite(x)) {
    body = (Number.isNaN(x) ? "nan" : "inf") + (spec.type === "%" ? "%" : "");
  } else body = floatDigits(x, spec);
  if (upper) body = body.toUpperCase();
  const negative = (x < 0 || Object.is(x, -0)) && !(spec.z === true && /^[0.]*(?:[eE%].*)?$/.test(body));
  const m = /^([0-9]*)(.*)$/s.exec(body) as RegExpExecArray;
  return number(negative, "", m[1], m[2], spec);
}

function formatInt(n: number, spec: Spec): string {
  const t = spec.type ?? "";
  if ("eEfFgG%".includes(t) && t !== "") return formatFloat(n, spec);
  if (t === "c") {
    // the character of the code point, laid out as a number without sign or digits (CPython)
    if (n < 0 || n > 0x10ffff) throw raise("OverflowError", "%c arg not in range(0x110000)");
    return number(false, "", "", String.fromCodePoint(n), spec);
  }
  let digits = BigInt(Math.abs(n)).toString(RADIX[t] ?? 10);
  if (t === "X") digits = digits.toUpperCase();
  return number(n < 0, spec.alt === true ? (PREFIX[t] ?? "") : "", digits, "", spec);
}

function formatStr(s: string, spec: Spec): string {
  const text = spec.precision === undefined ? s : Array.from(s).slice(0, spec.precision).join("");
  return pad(text, spec, spec.str);
}

/** Python's format(v, spec) for a spec the compiler parsed; ``isFloat``: the value's static type is float. */
export function format(v: Arg, spec: Spec, isFloat = false): string {
  const x = unbox(v);
  const kind: Kind =
    typeof x === "string"
      ? "str"
      : typeof x === "boolean"
        ? "int"
        : typeof x === "number"
          ? isFloat || v instanceof PyFloat || !Number.isInteger(x) || Object.is(x, -0)
            ? "float"
            : "int"
          : "object";
  const err = spec.errors?.[kind];
  if (err !== undefined) throw raise(err[0], err[1].replace("{type}", kind === "float" ? "float" : typeName(v)));
  if (typeof x === "string") return formatStr(x, spec);
  if (typeof x === "boolean") return formatInt(x ? 1 : 0, spec);
  if (typeof x === "number") return kind === "float" ? formatFloat(x, spec) : formatInt(x, spec);
  throw typeError(`unsupported format string passed to ${typeName(v)}.__format__`);
}

/** An f-string field: ``conv`` "r" or "s" first (then the spec formats that text); "" for no spec. */
export function field(v: Arg, spec: Spec | "", conv: "" | "r" | "s", isFloat = false): string {
  const x = unbox(v);
  const plain = isFloat && typeof x === "number";
  if (conv === "") return spec === "" ? (plain ? floatRepr(x) : str(x)) : format(v, spec, isFloat);
  const text = conv === "r" ? (plain ? floatRepr(x) : repr(v)) : plain ? floatRepr(x) : str(v);
  return spec === "" ? text : format(text, spec);
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

