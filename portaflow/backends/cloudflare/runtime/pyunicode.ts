// Python's character classes and case mappings over pyucd.ts's tables (Python's own, not the JS engine's):
// str.isdigit() and the other predicates, upper()/lower() (capital sigma by its context, as CPython does),
// title(), capitalize(), casefold(), whitespace, line breaks and printable characters.

import { MAPS, SETS } from "./pyucd";

/** Inclusive ranges as [lo0, hi0, lo1, hi1, ...], sorted. */
const sets = new Map<string, Int32Array>();

function decodeSet(name: string): Int32Array {
  let got = sets.get(name);
  if (got === undefined) {
    const nums = SETS[name].split(",").map((x) => parseInt(x, 36));
    got = new Int32Array(nums.length);
    let end = -1;
    for (let i = 0; i < nums.length; i += 2) {
      const lo = end + 1 + nums[i];
      end = lo + nums[i + 1];
      got[i] = lo;
      got[i + 1] = end;
    }
    sets.set(name, got);
  }
  return got;
}

/** Whether code point ``cp`` is in the class ``name`` (a key of SETS). */
export function inClass(name: string, cp: number): boolean {
  const rs = decodeSet(name);
  let lo = 0;
  let hi = rs.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < rs[2 * mid]) hi = mid - 1;
    else if (cp > rs[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

interface CaseMap {
  runs: Int32Array; // [start, count, stride, delta] per run
  multi: Map<number, string>;
}
const maps = new Map<string, CaseMap>();

function decodeMap(name: string): CaseMap {
  let got = maps.get(name);
  if (got === undefined) {
    const [text, multi] = MAPS[name];
    const nums = text.split(",").map((x) => parseInt(x, 36));
    const runs = new Int32Array(nums.length);
    let end = -1;
    for (let i = 0; i < nums.length; i += 4) {
      const start = end + 1 + nums[i];
      const count = nums[i + 1] + 1;
      const stride = nums[i + 2];
      runs.set([start, count, stride, nums[i + 3]], i);
      end = start + (count - 1) * stride;
    }
    got = { runs, multi: new Map(Object.entries(multi).map(([k, v]) => [parseInt(k, 36), v])) };
    maps.set(name, got);
  }
  return got;
}

/** The mapping ``name`` of one code point (itself when it has none). */
export function mapChar(name: string, cp: number): string {
  const m = decodeMap(name);
  const multi = m.multi.get(cp);
  if (multi !== undefined) return multi;
  const r = m.runs;
  let lo = 0;
  let hi = r.length / 4 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = r[4 * mid];
    const last = start + (r[4 * mid + 1] - 1) * r[4 * mid + 2];
    if (cp < start) hi = mid - 1;
    else if (cp > last) lo = mid + 1;
    else return (cp - start) % r[4 * mid + 2] === 0 ? String.fromCodePoint(cp + r[4 * mid + 3]) : String.fromCodePoint(cp);
  }
  return String.fromCodePoint(cp);
}

function cps(s: string): number[] {
  const out: number[] = [];
  for (const c of s) out.push(c.codePointAt(0) as number);
  return out;
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

export function upper(s: string): string {
  if (ASCII_ONLY.test(s)) return s.toUpperCase();
  return cps(s)
    .map((c) => mapChar("upper", c))
    .join("");
}

/** Capital sigma at ``i`` of ``cs``: final (ς) after a cased letter, not before one, case-ignorable
 *  characters skipped (CPython's handle_capital_sigma). */
function sigma(cs: number[], i: number): string {
  let j = i - 1;
  while (j >= 0 && inClass("ignorable", cs[j])) j--;
  let final = j >= 0 && inClass("cased", cs[j]);
  if (final) {
    j = i + 1;
    while (j < cs.length && inClass("ignorable", cs[j])) j++;
    final = j === cs.length || !inClass("cased", cs[j]);
  }
  return final ? "\u03c2" : "\u03c3";
}

function lowerAt(cs: number[], i: number): string {
  return cs[i] === 0x3a3 ? sigma(cs, i) : mapChar("lower", cs[i]);
}

export function lower(s: string): string {
  if (ASCII_ONLY.test(s)) return s.toLowerCase();
  const cs = cps(s);
  return cs.map((_, i) => lowerAt(cs, i)).join("");
}

export function casefold(s: string): string {
  if (ASCII_ONLY.test(s)) return s.toLowerCase();
  return cps(s)
    .map((c) => mapChar("fold", c))
    .join("");
}

/** str.title(): a character after a cased one is lowered, any other titlecased. */
export function title(s: string): string {
  const cs = cps(s);
  let out = "";
  let previousCased = false;
  for (let i = 0; i < cs.length; i++) {
    out += previousCased ? lowerAt(cs, i) : mapChar("title", cs[i]);
    previousCased = inClass("cased", cs[i]);
  }
  return out;
}

/** str.capitalize(): the first character titlecased, the others lowered. */
export function capitalize(s: string): string {
  const cs = cps(s);
  return cs.map((c, i) => (i === 0 ? mapChar("title", c) : lowerAt(cs, i))).join("");
}

/** Every character in ``name``, and at least one (isdigit, isalpha, isalnum, isspace). */
export function allIn(name: string, s: string): boolean {
  if (s.length === 0) return false;
  for (const c of s) if (!inClass(name, c.codePointAt(0) as number)) return false;
  return true;
}

/** str.isupper() / str.islower(): some cased character of that case, none of the other or titlecase. */
export function isCase(s: string, wanted: "upper" | "lower"): boolean {
  const other = wanted === "upper" ? "lower" : "upper";
  let cased = false;
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    if (inClass(other, cp) || inClass("title", cp)) return false;
    if (!cased && inClass(wanted, cp)) cased = true;
  }
  return cased;
}

export function isSpace(cp: number): boolean {
  return cp === 0x20 || (cp >= 0x9 && cp <= 0xd) || (cp >= 0x1c && inClass("space", cp));
}
