// The str methods of the catalogue, on code points (an astral character is one, as in Python), with
// Python's whitespace, line breaks, character classes and case mappings (pyunicode.ts), and the argument
// errors CPython raises. int() and float() of text follow Python's syntax (underscores, Unicode digits).

import { reprStr as reprOf } from "./pyrepr";
import { allIn, capitalize, casefold, inClass, isCase, isSpace, lower, mapChar, title, upper } from "./pyunicode";
import {
  type Arg,
  PyTuple,
  type Value,
  asIndex,
  asStr,
  codePoints,
  hasSurrogate,
  isInt,
  isNumber,
  items,
  raise,
  typeError,
  typeName,
  unbox,
} from "./pyvalue";

/** The type as CPython's argument errors name it ("None" for None). */
function argName(v: Arg): string {
  return v === null ? "None" : typeName(v);
}

function text(v: Arg, message: string): string {
  const s = unbox(v);
  if (typeof s !== "string") throw typeError(message.replace("%T", typeName(v)).replace("%A", argName(v)));
  return s;
}

const len = (s: string): number => (hasSurrogate(s) ? codePoints(s).length : s.length);

export function str_lower(s: Arg): Value {
  return lower(asStr(s, "lower"));
}
export function str_upper(s: Arg): Value {
  return upper(asStr(s, "upper"));
}
export function str_title(s: Arg): Value {
  return title(asStr(s, "title"));
}
export function str_capitalize(s: Arg): Value {
  return capitalize(asStr(s, "capitalize"));
}
export function str_casefold(s: Arg): Value {
  return casefold(asStr(s, "casefold"));
}

// ------------------------------------------------------------------------------------------- strip
function stripCps(method: string, s: string, chars: Arg | undefined, left: boolean, right: boolean): string {
  const c = chars === undefined ? null : unbox(chars);
  if (c !== null && typeof c !== "string") throw typeError(`${method} arg must be None or str`);
  const set = c === null ? null : new Set(codePoints(c));
  const strip = (ch: string): boolean => (set === null ? isSpace(ch.codePointAt(0) as number) : set.has(ch));
  const cps = codePoints(s);
  let lo = 0;
  let hi = cps.length;
  if (left) while (lo < hi && strip(cps[lo])) lo++;
  if (right) while (hi > lo && strip(cps[hi - 1])) hi--;
  return cps.slice(lo, hi).join("");
}

export function str_strip(s: Arg, chars?: Arg): Value {
  return stripCps("strip", asStr(s, "strip"), chars, true, true);
}
export function str_lstrip(s: Arg, chars?: Arg): Value {
  return stripCps("lstrip", asStr(s, "lstrip"), chars, true, false);
}
export function str_rstrip(s: Arg, chars?: Arg): Value {
  return stripCps("rstrip", asStr(s, "rstrip"), chars, false, true);
}

// ------------------------------------------------------------------------------------------- split
/** Python's whitespace split: runs of str.isspace() characters, no empty strings. */
function splitWhitespace(s: string): string[] {
  const out: string[] = [];
  let word = "";
  for (const ch of s) {
    if (isSpace(ch.codePointAt(0) as number)) {
      if (word) out.push(word);
      word = "";
    } else word += ch;
  }
  if (word) out.push(word);
  return out;
}

export function str_split(s: Arg, sep?: Arg): Value {
  const t = asStr(s, "split");
  const p = sep === undefined ? null : unbox(sep);
  if (p === null) return splitWhitespace(t);
  if (typeof p !== "string") throw typeError(`must be str or None, not ${typeName(sep as Arg)}`);
  if (p === "") throw raise("ValueError", "empty separator");
  return t.split(p);
}

export function str_join(sep: Arg, xs: Arg): Value {
  const t = asStr(sep, "join");
  const v = unbox(xs);
  if (!(typeof v === "string" || Array.isArray(v) || v instanceof Map || v instanceof PyTuple)) {
    throw typeError("can only join an iterable");
  }
  const parts = items(v);
  parts.forEach((p, i) => {
    if (typeof p !== "string") throw typeError(`sequence item ${i}: expected str instance, ${typeName(p)} found`);
  });
  return parts.join(t);
}

function affixes(method: string, v: Arg): string[] {
  const x = unbox(v);
  if (typeof x === "string") return [x];
  if (x instanceof PyTuple) {
    return x.items.map((p) => {
      if (typeof p !== "string") throw typeError(`tuple for ${method} must only contain str, not ${typeName(p)}`);
      return p;
    });
  }
  throw typeError(`${method} first arg must be str or a tuple of str, not ${typeName(v)}`);
}

export function str_startswith(s: Arg, prefix: Arg): Value {
  const t = asStr(s, "startswith");
  return affixes("startswith", prefix).some((p) => t.startsWith(p));
}

export function str_endswith(s: Arg, suffix: Arg): Value {
  const t = asStr(s, "endswith");
  return affixes("endswith", suffix).some((p) => t.endsWith(p));
}

export function str_replace(s: Arg, old: Arg, repl: Arg): Value {
  const t = asStr(s, "replace");
  const o = text(old, "replace() argument 1 must be str, not %A");
  const r = text(repl, "replace() argument 2 must be str, not %A");
  if (o === "") {
    const cps = codePoints(t);
    return r + cps.map((c) => c + r).join("");
  }
  return t.split(o).join(r);
}

// ------------------------------------------------------------------------------------------ search
/** The [start, end) code point window of s[start:end] (Python's slice bounds; a window past the end of s is
 *  still reported, so that find('', start) can tell start > len). */
function window(n: number, start?: Arg, end?: Arg): [number, number] {
  const norm = (b: Arg | undefined, dflt: number): number => {
    if (b === undefined || b === null) return dflt;
    if (!isInt(b)) throw typeError("slice indices must be integers or None or have an __index__ method");
    let i = Number(b);
    if (i < 0) i = Math.max(i + n, 0);
    return i;
  };
  const lo = norm(start, 0);
  const hi = Math.min(norm(end, n), n);
  return [lo, hi];
}

/** CPython parses the bounds (slice indexes) before it looks at ``sub``. */
function checkBounds(...bounds: Array<Arg | undefined>): void {
  for (const b of bounds) {
    if (b !== undefined && b !== null && !isInt(b)) {
      throw typeError("slice indices must be integers or None or have an __index__ method");
    }
  }
}

function search(method: string, s: Arg, sub: Arg, start?: Arg, end?: Arg): number {
  const t = asStr(s, method);
  checkBounds(start, end);
  const p = text(sub, "must be str, not %T");
  const cps = codePoints(t);
  const pcs = codePoints(p);
  const [lo, hi] = window(cps.length, start, end);
  if (lo > cps.length || hi - lo < pcs.length) return -1;
  const at = (i: number): boolean => pcs.every((c, j) => cps[i + j] === c);
  if (method === "rfind" || method === "rindex") {
    for (let i = hi - pcs.length; i >= lo; i--) if (at(i)) return i;
  } else {
    for (let i = lo; i + pcs.length <= hi; i++) if (at(i)) return i;
  }
  return -1;
}

export function str_find(s: Arg, sub: Arg, start?: Arg, end?: Arg): Value {
  return search("find", s, sub, start, end);
}
export function str_rfind(s: Arg, sub: Arg, start?: Arg, end?: Arg): Value {
  return search("rfind", s, sub, start, end);
}
export function str_index(s: Arg, sub: Arg, start?: Arg, end?: Arg): Value {
  const i = search("index", s, sub, start, end);
  if (i < 0) throw raise("ValueError", "substring not found");
  return i;
}
export function str_rindex(s: Arg, sub: Arg, start?: Arg, end?: Arg): Value {
  const i = search("rindex", s, sub, start, end);
  if (i < 0) throw raise("ValueError", "substring not found");
  return i;
}

export function str_count(s: Arg, sub: Arg, start?: Arg, end?: Arg): Value {
  const t = asStr(s, "count");
  checkBounds(start, end);
  const p = text(sub, "must be str, not %T");
  const cps = codePoints(t);
  const pcs = codePoints(p);
  const [lo, hi] = window(cps.length, start, end);
  if (lo > cps.length || hi < lo) return 0;
  if (pcs.length === 0) return hi - lo + 1;
  let n = 0;
  for (let i = lo; i + pcs.length <= hi; ) {
    if (pcs.every((c, j) => cps[i + j] === c)) {
      n++;
      i += pcs.length;
    } else i++;
  }
  return n;
}

export function str_removeprefix(s: Arg, prefix: Arg): Value {
  const t = asStr(s, "removeprefix");
  const p = text(prefix, "removeprefix() argument must be str, not %A");
  return p && t.startsWith(p) ? t.slice(p.length) : t;
}

export function str_removesuffix(s: Arg, suffix: Arg): Value {
  const t = asStr(s, "removesuffix");
  const p = text(suffix, "removesuffix() argument must be str, not %A");
  return p && t.endsWith(p) ? t.slice(0, t.length - p.length) : t;
}

// --------------------------------------------------------------------------------------- padding
export function str_zfill(s: Arg, width: Arg): Value {
  const t = asStr(s, "zfill");
  const w = asIndex(width);
  const n = len(t);
  if (n >= w) return t;
  const zeros = "0".repeat(w - n);
  return t[0] === "+" || t[0] === "-" ? t[0] + zeros + t.slice(1) : zeros + t;
}

function pad(method: string, s: Arg, width: Arg, fill: Arg | undefined, how: "l" | "r" | "c"): string {
  const t = asStr(s, method);
  const w = asIndex(width);
  let f = " ";
  if (fill !== undefined) {
    const x = unbox(fill);
    if (typeof x !== "string") throw typeError(`The fill character must be a unicode character, not ${typeName(fill)}`);
    if (len(x) !== 1) throw typeError("The fill character must be exactly one character long");
    f = x;
  }
  const n = len(t);
  if (n >= w) return t;
  const marg = w - n;
  const left = how === "l" ? 0 : how === "r" ? marg : Math.floor(marg / 2) + (marg & w & 1);
  return f.repeat(left) + t + f.repeat(marg - left);
}

export function str_ljust(s: Arg, width: Arg, fill?: Arg): Value {
  return pad("ljust", s, width, fill, "l");
}
export function str_rjust(s: Arg, width: Arg, fill?: Arg): Value {
  return pad("rjust", s, width, fill, "r");
}
export function str_center(s: Arg, width: Arg, fill?: Arg): Value {
  return pad("center", s, width, fill, "c");
}

// ----------------------------------------------------------------------------------- partition, lines
function partition(method: string, s: Arg, sep: Arg, last: boolean): Value {
  const t = asStr(s, method);
  const p = text(sep, "must be str, not %T");
  if (p === "") throw raise("ValueError", "empty separator");
  const i = last ? t.lastIndexOf(p) : t.indexOf(p);
  if (i < 0) return new PyTuple(last ? ["", "", t] : [t, "", ""]);
  return new PyTuple([t.slice(0, i), p, t.slice(i + p.length)]);
}

export function str_partition(s: Arg, sep: Arg): Value {
  return partition("partition", s, sep, false);
}
export function str_rpartition(s: Arg, sep: Arg): Value {
  return partition("rpartition", s, sep, true);
}

/** splitlines(): Python's line boundaries (\n \r \r\n \v \f \x1c-\x1e \x85 \u2028 \u2029), no ends. */
export function str_splitlines(s: Arg): Value {
  const t = asStr(s, "splitlines");
  const out: string[] = [];
  let line = "";
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (inClass("linebreak", c)) {
      out.push(line);
      line = "";
      if (c === 0x0d && t.charCodeAt(i + 1) === 0x0a) i++;
    } else line += t[i];
  }
  if (line) out.push(line);
  return out;
}

// ----------------------------------------------------------------------------------------- classes
export function str_isspace(s: Arg): Value {
  return allIn("space", asStr(s, "isspace"));
}
export function str_isdigit(s: Arg): Value {
  return allIn("digit", asStr(s, "isdigit"));
}
export function str_isalpha(s: Arg): Value {
  return allIn("alpha", asStr(s, "isalpha"));
}
export function str_isalnum(s: Arg): Value {
  return allIn("alnum", asStr(s, "isalnum"));
}
export function str_isupper(s: Arg): Value {
  return isCase(asStr(s, "isupper"), "upper");
}
export function str_islower(s: Arg): Value {
  return isCase(asStr(s, "islower"), "lower");
}

// ------------------------------------------------------------------------------ int() and float()
/** Python's whitespace stripped and Unicode decimal digits as ASCII ones. */
function numeral(s: string): string {
  return codePoints(stripCps("strip", s, undefined, true, true))
    .map((c) => (c.codePointAt(0) as number) > 0x7f && inClass("decimal", c.codePointAt(0) as number) ? mapChar("decimal", c.codePointAt(0) as number) : c)
    .join("");
}

const INT = /^[+-]?\d+(?:_\d+)*$/;
const FLOAT = /^[+-]?(?:(?:\d+(?:_\d+)*)?\.\d+(?:_\d+)*|\d+(?:_\d+)*\.?)(?:[eE][+-]?\d+(?:_\d+)*)?$/;
const SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

export function int_(v?: Arg): Value {
  if (v === undefined) return 0;
  const x = unbox(v);
  if (typeof x === "string") {
    const t = numeral(x);
    if (!INT.test(t)) throw raise("ValueError", `invalid literal for int() with base 10: ${reprOf(x)}`);
    const n = Number(t.replace(/_/g, ""));
    return n + 0;
  }
  if (isNumber(x)) {
    const n = Number(x);
    if (Number.isNaN(n)) throw raise("ValueError", "cannot convert float NaN to integer");
    if (!Number.isFinite(n)) throw raise("OverflowError", "cannot convert float infinity to integer");
    return Math.trunc(n) + 0;
  }
  throw typeError(`int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
}

export function float_(v?: Arg): Value {
  if (v === undefined) return 0;
  const x = unbox(v);
  if (typeof x === "string") {
    const t = numeral(x);
    if (SPECIAL.test(t)) return t.toLowerCase().includes("nan") ? NaN : t.startsWith("-") ? -Infinity : Infinity;
    if (!FLOAT.test(t)) throw raise("ValueError", `could not convert string to float: ${reprOf(x)}`);
    return Number(t.replace(/_/g, ""));
  }
  if (isNumber(x)) return Number(x);
  throw typeError(`float() argument must be a string or a real number, not '${typeName(v)}'`);
}
