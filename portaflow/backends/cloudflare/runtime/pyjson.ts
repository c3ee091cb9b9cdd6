// JSON as Python's json module writes and reads it: json.dumps with its default separators (', ', ': '),
// ensure_ascii escapes (\u00e9, surrogate pairs) and key conversion; json.loads with Python's scanner and
// its JSONDecodeError messages ("Expecting value: line 1 column 4 (char 3)"); and the plain JSON values
// that cross a durable boundary (fromJson / toJson: a dict is a Map here, an object there).

import { floatRepr, intText, numberText } from "./pyrepr";
import { sorted } from "./pyseq";
import { type Arg, PyDatetime, PyError, PyTimedelta, PyTuple, type Value, raise, typeError, typeName, unbox } from "./pyvalue";

/** A JSON value from outside (a step's result, an event's payload, the input): objects become Maps. */
export function fromJson(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return v + 0; // JSON's -0 is Python's int 0
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map(fromJson);
  const out = new Map<Value, Value>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out.set(k, fromJson(x));
  return out;
}

function notSerializable(v: Value): PyError {
  const name = v instanceof PyDatetime ? "datetime" : v instanceof PyTimedelta ? "timedelta" : typeName(v);
  return typeError(`Object of type ${name} is not JSON serializable`);
}

/** A dict key as json.dumps writes it. */
function keyText(k: Value): string {
  if (typeof k === "string") return k;
  if (k === null) return "null";
  if (typeof k === "boolean") return k ? "true" : "false";
  if (typeof k === "number") return numberText(k);
  throw typeError(`keys must be str, int, float, bool or None, not ${typeName(k)}`);
}

/** A value as plain JSON (Map -> object, tuple -> array), or Python's TypeError for what is not JSON. */
export function toJson(v: Value, seen: Set<unknown> = new Set()): unknown {
  if (v === null || typeof v === "boolean" || typeof v === "string" || typeof v === "number") return v;
  if (!(Array.isArray(v) || v instanceof Map || v instanceof PyTuple)) throw notSerializable(v);
  if (seen.has(v)) throw raise("ValueError", "Circular reference detected");
  seen.add(v);
  try {
    if (Array.isArray(v)) return v.map((x) => toJson(x, seen));
    if (v instanceof PyTuple) return v.items.map((x) => toJson(x, seen));
    const out: Record<string, unknown> = {};
    for (const [k, x] of v) out[keyText(k)] = toJson(x, seen);
    return out;
  } finally {
    seen.delete(v);
  }
}

const ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/** A str as json.dumps writes it with ensure_ascii: every character outside ' '..'~' escaped, lower-case
 *  hex, astral characters as their surrogate pair (the UTF-16 code units JavaScript holds). */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (ESCAPES[c] !== undefined) out += ESCAPES[c];
    else if (code >= 0x20 && code <= 0x7e) out += c;
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return out + '"';
}

function dumpNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  return Number.isInteger(x) && !Object.is(x, -0) ? intText(x) : floatRepr(x);
}

function dump(v: Value, seen: Set<unknown>): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return dumpNumber(v);
  if (typeof v === "string") return jsonString(v);
  if (!(Array.isArray(v) || v instanceof Map || v instanceof PyTuple)) throw notSerializable(v);
  if (seen.has(v)) throw raise("ValueError", "Circular reference detected");
  seen.add(v);
  try {
    if (v instanceof Map) {
      return `{${[...v].map(([k, x]) => `${jsonString(keyText(k))}: ${dump(x, seen)}`).join(", ")}}`;
    }
    return `[${(Array.isArray(v) ? v : v.items).map((x) => dump(x, seen)).join(", ")}]`;
  } finally {
    seen.delete(v);
  }
}

/** json.dumps's options (literals the compiler checked): Python's defaults when absent. */
export interface DumpOptions {
  sort_keys?: boolean;
  indent?: number | string | null;
  separators?: [string, string];
  ensure_ascii?: boolean;
}

/** json.dumps(v, **options); ``isFloat``: v's static type is float (2.0 is written '2.0'). */
export function json_dumps(v: Arg, isFloat = false, options: DumpOptions = {}): Value {
  const x = unbox(v);
  if (isFloat && typeof x === "number" && Number.isFinite(x)) return floatRepr(x);
  const indent = options.indent ?? null;
  const style: Style = {
    sortKeys: options.sort_keys ?? false,
    indent: typeof indent === "number" ? " ".repeat(Math.max(indent, 0)) : indent,
    itemSep: options.separators?.[0] ?? (indent === null ? ", " : ","),
    keySep: options.separators?.[1] ?? ": ",
    ascii: options.ensure_ascii ?? true,
  };
  return dumpStyled(x, new Set(), style, 0);
}

interface Style {
  sortKeys: boolean;
  indent: string | null;
  itemSep: string;
  keySep: string;
  ascii: boolean;
}

/** A str as json.dumps writes it with ensure_ascii=False: only '"', '\\' and the controls escaped. */
function jsonStringRaw(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (ESCAPES[c] !== undefined) out += ESCAPES[c];
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return out + '"';
}

/** Python's json encoder: its separators, indentation (a newline and the indent per level, none inside an
 *  empty container) and sort_keys (the keys in Python's order: sorted() of them). */
function dumpStyled(v: Value, seen: Set<unknown>, st: Style, level: number): string {
  if (typeof v === "string") return st.ascii ? jsonString(v) : jsonStringRaw(v);
  if (!(Array.isArray(v) || v instanceof Map || v instanceof PyTuple)) return dump(v, seen);
  if (seen.has(v)) throw raise("ValueError", "Circular reference detected");
  seen.add(v);
  try {
    const inner = st.indent === null ? "" : "\n" + st.indent.repeat(level + 1);
    const outer = st.indent === null ? "" : "\n" + st.indent.repeat(level);
    const sep = st.itemSep + inner;
    if (v instanceof Map) {
      if (v.size === 0) return "{}";
      let keys = [...v.keys()];
      if (st.sortKeys) keys = sorted(keys, null, false) as Value[];
      const parts = keys.map((k) => {
        const text = keyText(k);
        return `${st.ascii ? jsonString(text) : jsonStringRaw(text)}${st.keySep}${dumpStyled(v.get(k) as Value, seen, st, level + 1)}`;
      });
      return `{${inner}${parts.join(sep)}${outer}}`;
    }
    const items = Array.isArray(v) ? v : v.items;
    if (items.length === 0) return "[]";
    return `[${inner}${items.map((x) => dumpStyled(x, seen, st, level + 1)).join(sep)}${outer}]`;
  } finally {
    seen.delete(v);
  }
}

// ------------------------------------------------------------------------------------------ loads
class Decode {
  constructor(
    readonly msg: string,
    readonly pos: number,
  ) {}
}

const WS = /[ \t\n\r]*/y;
const NUMBER = /(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?/y;
const STRING_CHUNK = /([^"\\\x00-\x1f]*)(["\\\x00-\x1f])/y;
const BACKSLASH: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function skip(s: string, i: number): number {
  WS.lastIndex = i;
  WS.exec(s);
  return WS.lastIndex;
}

function hex4(s: string, i: number): number | undefined {
  const h = s.slice(i, i + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : undefined;
}

function scanString(s: string, end: number): [string, number] {
  const begin = end - 1;
  let out = "";
  for (;;) {
    STRING_CHUNK.lastIndex = end;
    const m = STRING_CHUNK.exec(s);
    if (m === null) throw new Decode("Unterminated string starting at", begin);
    out += m[1];
    end = STRING_CHUNK.lastIndex;
    const term = m[2];
    if (term === '"') return [out, end];
    if (term !== "\\") throw new Decode("Invalid control character at", end - 1);
    if (end >= s.length) throw new Decode("Unterminated string starting at", begin);
    const esc = s[end];
    if (esc !== "u") {
      if (BACKSLASH[esc] === undefined) throw new Decode("Invalid \\escape", end - 1);
      out += BACKSLASH[esc];
      end += 1;
      continue;
    }
    let uni = hex4(s, end + 1);
    if (uni === undefined) throw new Decode("Invalid \\uXXXX escape", end);
    end += 5;
    if (uni >= 0xd800 && uni <= 0xdbff && s[end] === "\\" && s[end + 1] === "u") {
      const low = hex4(s, end + 2);
      if (low === undefined) throw new Decode("Invalid \\uXXXX escape", end + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        uni = 0x10000 + ((uni - 0xd800) << 10) + (low - 0xdc00);
        end += 6;
      }
    }
    out += String.fromCodePoint(uni);
  }
}

function scanValue(s: string, i: number): [Value, number] {
  const c = s[i];
  if (c === '"') return scanString(s, i + 1);
  if (c === "{") return scanObject(s, i + 1);
  if (c === "[") return scanArray(s, i + 1);
  if (c === "n" && s.startsWith("null", i)) return [null, i + 4];
  if (c === "t" && s.startsWith("true", i)) return [true, i + 4];
  if (c === "f" && s.startsWith("false", i)) return [false, i + 5];
  NUMBER.lastIndex = i;
  const m = i < s.length ? NUMBER.exec(s) : null;
  if (m !== null) {
    const n = Number(m[0]);
    return [m[2] || m[3] ? n : n + 0, NUMBER.lastIndex];
  }
  if (c === "N" && s.startsWith("NaN", i)) return [NaN, i + 3];
  if (c === "I" && s.startsWith("Infinity", i)) return [Infinity, i + 8];
  if (c === "-" && s.startsWith("-Infinity", i)) return [-Infinity, i + 9];
  throw new Decode("Expecting value", i);
}

function scanObject(s: string, end: number): [Value, number] {
  const out = new Map<Value, Value>();
  end = skip(s, end);
  if (s[end] === "}") return [out, end + 1];
  if (s[end] !== '"') throw new Decode("Expecting property name enclosed in double quotes", end);
  end += 1;
  for (;;) {
    const [key, afterKey] = scanString(s, end);
    end = skip(s, afterKey);
    if (s[end] !== ":") throw new Decode("Expecting ':' delimiter", end);
    end = skip(s, end + 1);
    const [value, afterValue] = scanValue(s, end);
    out.set(key, value);
    end = skip(s, afterValue);
    const next = s[end];
    end += 1;
    if (next === "}") return [out, end];
    if (next !== ",") throw new Decode("Expecting ',' delimiter", end - 1);
    end = skip(s, end);
    if (s[end] !== '"') throw new Decode("Expecting property name enclosed in double quotes", end);
    end += 1;
  }
}

function scanArray(s: string, end: number): [Value, number] {
  const out: Value[] = [];
  end = skip(s, end);
  if (s[end] === "]") return [out, end + 1];
  for (;;) {
    const [value, after] = scanValue(s, end);
    out.push(value);
    end = skip(s, after);
    const next = s[end];
    end += 1;
    if (next === "]") return [out, end];
    if (next !== ",") throw new Decode("Expecting ',' delimiter", end - 1);
    end = skip(s, end);
  }
}

/** JSONDecodeError's message: the position in code points, its line and column. */
function decodeError(s: string, e: Decode): PyError {
  const before = s.slice(0, e.pos);
  const pos = Array.from(before).length;
  const line = before.split("\n").length;
  const col = pos - Array.from(before.slice(0, before.lastIndexOf("\n") + 1)).length + 1;
  return raise("JSONDecodeError", `${e.msg}: line ${line} column ${col} (char ${pos})`);
}

export function json_loads(v: Arg): Value {
  const s = unbox(v);
  if (typeof s !== "string") {
    throw typeError(`the JSON object must be str, bytes or bytearray, not ${typeName(v)}`);
  }
  try {
    if (s.startsWith("\ufeff")) throw new Decode("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
    const [value, end] = scanValue(s, skip(s, 0));
    const rest = skip(s, end);
    if (rest !== s.length) throw new Decode("Extra data", rest);
    return value;
  } catch (e) {
    if (e instanceof Decode) throw decodeError(s, e);
    throw e;
  }
}
