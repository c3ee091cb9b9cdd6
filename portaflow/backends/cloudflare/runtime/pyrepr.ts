// Python's str() and repr() of every value: floats as Python's repr (the shortest text that reads back,
// like JavaScript's, but in exponent form below 1e-4 and from 1e16: '1e-05', '1e+16'), ints with every
// digit, strings with Python's choice of quotes and escapes, containers as Python prints them.

import { inClass } from "./pyunicode";
import {
  type Arg,
  PyDatetime,
  PyTimedelta,
  PyError,
  PyFloat,
  PyTuple,
  StepFailed,
  type Value,
  unbox,
} from "./pyvalue";
import { isoformat, microsecond } from "./pydatetime";
import { timedeltaRepr, timedeltaStr } from "./pytimedelta";

/** An integral number's digits (beyond 1e21 JavaScript would switch to an exponent). */
export function intText(x: number): string {
  return Math.abs(x) < 1e21 ? String(x + 0) : BigInt(x).toString();
}

/** Python's repr of a float. */
export function floatRepr(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, exponent] = x.toExponential().split("e");
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  const exp = Number(exponent);
  if (exp < -4 || exp >= 16) {
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : "";
    return `${sign}${digits[0]}${rest}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (exp >= digits.length - 1) return `${sign}${digits}${"0".repeat(exp - digits.length + 1)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** A number of unknown static type: an int's text where it is integral (docs/dsl.md). -0 is only ever a
 *  float here: int arithmetic never gives it. */
export function numberText(x: number): string {
  return Number.isInteger(x) && !Object.is(x, -0) ? intText(x) : floatRepr(x);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** Python's repr of a str: single quotes unless the text holds one and no double quote; \n \r \t \\ and
 *  the quote escaped; what Python does not print (str.isprintable) as \x.., \u.... or \U........ */
export function reprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    if (c === quote || c === "\\") out += `\\${c}`;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (cp >= 0x20 && cp < 0x7f) out += c;
    else if (cp >= 0x7f && inClass("printable", cp)) out += c;
    else if (cp < 0x100) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}


function datetimeRepr(d: PyDatetime): string {
  const t = new Date(d.ms);
  const fields = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes()];
  const micro = microsecond(d);
  if (micro !== 0) fields.push(t.getUTCSeconds(), micro);
  else if (t.getUTCSeconds() !== 0) fields.push(t.getUTCSeconds());
  return `datetime.datetime(${fields.join(", ")}, tzinfo=datetime.timezone.utc)`;
}

function errorRepr(e: PyError): string {
  if (e instanceof StepFailed) {
    return `StepFailed(step=${reprStr(e.step)}, type=${reprStr(e.errorType)}, message=${reprStr(e.errorMessage)})`;
  }
  if (e.message === "") return `${e.type}()`;
  // a KeyError's message is already its key's repr (str(KeyError('k')) is "'k'")
  return `${e.type}(${e.mro.includes("KeyError") ? e.message : reprStr(e.message)})`;
}

/** Python's repr(v); a list or dict that holds itself prints as [...] / {...} there, as in Python. */
export function repr(v: Arg, seen: Set<unknown> = new Set()): string {
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v === null) return "None";
  switch (typeof v) {
    case "boolean":
      return v ? "True" : "False";
    case "number":
      return numberText(v);
    case "string":
      return reprStr(v);
  }
  if (v instanceof PyDatetime) return datetimeRepr(v);
  if (v instanceof PyTimedelta) return timedeltaRepr(v);
  if (v instanceof PyError) return errorRepr(v);
  if (seen.has(v)) return Array.isArray(v) ? "[...]" : v instanceof Map ? "{...}" : "(...)";
  seen.add(v);
  try {
    if (Array.isArray(v)) return `[${v.map((x) => repr(x, seen)).join(", ")}]`;
    if (v instanceof PyTuple) {
      const inner = v.items.map((x) => repr(x, seen));
      return inner.length === 1 ? `(${inner[0]},)` : `(${inner.join(", ")})`;
    }
    return `{${[...v].map(([k, x]) => `${repr(k, seen)}: ${repr(x, seen)}`).join(", ")}}`;
  } finally {
    seen.delete(v);
  }
}

/** Python's str(v) (no argument: ''). */
export function str(v?: Arg): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (v instanceof PyDatetime) return isoformat(v, " ");
  if (v instanceof PyTimedelta) return timedeltaStr(v);
  if (v instanceof PyError) return v.message;
  return repr(v);
}

/** str(x) of an expression whose static type is float: Python's float repr even where it is integral. */
export function strFloat(v: Arg): string {
  const x = unbox(v);
  return typeof x === "number" ? floatRepr(x) : str(x);
}

