// Subscripts, slices, ``in``, len() and the builtins over sequences (range, enumerate, zip, sorted, min,
// max, sum, any, all, list, dict) and the dict and list methods, with Python's results and errors.

import { add } from "./pynum";
import { repr } from "./pyrepr";
import {
  type Arg,
  PyFloat,
  PyTuple,
  type Value,
  asDict,
  asIndex,
  asList,
  codePoints,
  dictLookup,
  dictSet,
  hasSurrogate,
  isInt,
  items,
  lt,
  order,
  raise,
  truthy,
  typeError,
  typeName,
  unbox,
  eq,
} from "./pyvalue";

// ---------------------------------------------------------------------------------------- subscripts
function seqIndex(v: Arg, n: number, what: string): number {
  let i = Number(v);
  if (i < 0) i += n;
  if (i < 0 || i >= n) throw raise("IndexError", `${what} index out of range`);
  return i;
}

/** ``x[i]``. */
export function getitem(x: Arg, i: Arg): Value {
  const v = unbox(x);
  if (v instanceof Map) {
    const found = dictLookup(v, i);
    if (found === undefined) throw raise("KeyError", repr(i));
    return found[1];
  }
  if (Array.isArray(v) || v instanceof PyTuple) {
    const kind = Array.isArray(v) ? "list" : "tuple";
    if (!isInt(i)) throw typeError(`${kind} indices must be integers or slices, not ${typeName(i)}`);
    const arr = Array.isArray(v) ? v : v.items;
    return arr[seqIndex(i, arr.length, kind)];
  }
  if (typeof v === "string") {
    if (!isInt(i)) throw typeError(`string indices must be integers, not '${typeName(i)}'`);
    if (!hasSurrogate(v)) return v[seqIndex(i, v.length, "string")];
    const cps = codePoints(v);
    return cps[seqIndex(i, cps.length, "string")];
  }
  throw typeError(`'${typeName(x)}' object is not subscriptable`);
}

function bound(b: Arg | undefined, n: number, dflt: number): number {
  if (b === undefined || b === null) return dflt;
  if (!isInt(b)) throw typeError("slice indices must be integers or None or have an __index__ method");
  let i = Number(b);
  if (i < 0) i = Math.max(i + n, 0);
  return Math.min(i, n);
}

/** ``x[lo:hi]`` (either bound None or absent). */
export function slice(x: Arg, lo?: Arg, hi?: Arg): Value {
  const v = unbox(x);
  if (typeof v === "string") {
    const simple = !hasSurrogate(v);
    const cps = simple ? null : codePoints(v);
    const n = simple ? v.length : (cps as string[]).length;
    const a = bound(lo, n, 0);
    const b = bound(hi, n, n);
    if (b <= a) return "";
    return simple ? v.slice(a, b) : (cps as string[]).slice(a, b).join("");
  }
  if (Array.isArray(v) || v instanceof PyTuple) {
    const arr = Array.isArray(v) ? v : v.items;
    const a = bound(lo, arr.length, 0);
    const b = bound(hi, arr.length, arr.length);
    const got = b <= a ? [] : arr.slice(a, b);
    return Array.isArray(v) ? got : new PyTuple(got);
  }
  if (v instanceof Map) {
    bound(lo, 0, 0); // Python checks nothing before hashing the slice
    throw typeError("unhashable type: 'slice'");
  }
  throw typeError(`'${typeName(x)}' object is not subscriptable`);
}

/** The indexes ``x[lo:hi:step]`` takes of a sequence of ``n`` items, as CPython's PySlice_Unpack and
 *  PySlice_AdjustIndices: the step is read (and must not be 0) before the bounds. */
function stepIndexes(lo: Arg | undefined, hi: Arg | undefined, st: Arg, n: number): number[] {
  const index = (b: Arg | undefined): number | null => {
    if (b === undefined || b === null) return null;
    if (!isInt(b)) throw typeError("slice indices must be integers or None or have an __index__ method");
    return Number(b);
  };
  const step = index(st) ?? 1;
  if (step === 0) throw raise("ValueError", "slice step cannot be zero");
  const clamp = (b: number | null, dflt: number): number => {
    if (b === null) return dflt;
    if (b < 0) return Math.max(b + n, step < 0 ? -1 : 0);
    return b >= n ? (step < 0 ? n - 1 : n) : b;
  };
  const a = clamp(index(lo), step < 0 ? n - 1 : 0);
  const b = clamp(index(hi), step < 0 ? -1 : n);
  const out: number[] = [];
  for (let i = a; step > 0 ? i < b : i > b; i += step) out.push(i);
  return out;
}

/** ``x[lo:hi:step]`` (a bound None or absent; a negative step walks backwards). */
export function sliceStep(x: Arg, lo: Arg | undefined, hi: Arg | undefined, step: Arg): Value {
  const v = unbox(x);
  if (typeof v === "string") {
    const cps = codePoints(v);
    return stepIndexes(lo, hi, step, cps.length).map((i) => cps[i]).join("");
  }
  if (Array.isArray(v) || v instanceof PyTuple) {
    const arr = Array.isArray(v) ? v : v.items;
    const got = stepIndexes(lo, hi, step, arr.length).map((i) => arr[i]);
    return Array.isArray(v) ? got : new PyTuple(got);
  }
  if (v instanceof Map) throw typeError("unhashable type: 'slice'");
  throw typeError(`'${typeName(x)}' object is not subscriptable`);
}

/** ``reversed(x)`` consumed at once: the items of a list, tuple or str (its code points) or a dict's keys,
 *  last first; Python's TypeError for a value that is not reversible. */
export function reversed(x: Arg): Value {
  const v = unbox(x);
  if (Array.isArray(v) || typeof v === "string" || v instanceof Map || v instanceof PyTuple) {
    return [...items(v)].reverse();
  }
  throw typeError(`'${typeName(x)}' object is not reversible`);
}

/** Python hashes a set's item (and a member tested with ``in``): a list or a dict is unhashable. */
function hashable(x: Arg): Value {
  const v = unbox(x);
  if (Array.isArray(v) || v instanceof Map) throw typeError(`unhashable type: '${typeName(x)}'`);
  if (v instanceof PyTuple) v.items.forEach(hashable);
  return v;
}

/** ``set(xs)``, held as the list of its distinct items (Python's ==: 1, 1.0 and True are one), the first
 *  one kept; the workflow never sees their order (the compiler allows only in, len, sorted, truthiness). */
export function set(xs: Arg): Value {
  const out: Value[] = [];
  for (const x of items(unbox(xs))) {
    const v = hashable(x);
    if (!out.some((y) => eq(y, v))) out.push(v);
  }
  return out;
}

/** ``item in s`` of a set ``s``. */
export function setContains(s: Arg, item: Arg): boolean {
  hashable(item);
  return contains(s, item);
}

/** ``item in container``. */
export function contains(container: Arg, item: Arg): boolean {
  const c = unbox(container);
  if (typeof c === "string") {
    const s = unbox(item);
    if (typeof s !== "string") throw typeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return c.includes(s);
  }
  if (c instanceof Map) return dictLookup(c, item) !== undefined;
  if (Array.isArray(c) || c instanceof PyTuple) {
    const arr = Array.isArray(c) ? c : c.items;
    return arr.some((x) => x === item || eq(x, item));
  }
  throw typeError(`argument of type '${typeName(container)}' is not iterable`);
}

export function len(x: Arg): Value {
  const v = unbox(x);
  if (typeof v === "string") return hasSurrogate(v) ? codePoints(v).length : v.length;
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (v instanceof PyTuple) return v.items.length;
  throw typeError(`object of type '${typeName(x)}' has no len()`);
}

// ------------------------------------------------------------------------------------------ builtins
export function range(a: Arg, b?: Arg, c?: Arg): Value {
  const start = b === undefined ? 0 : asIndex(a);
  const stop = b === undefined ? asIndex(a) : asIndex(b);
  const step = c === undefined ? 1 : asIndex(c);
  if (step === 0) throw raise("ValueError", "range() arg 3 must not be zero");
  const out: Value[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

export function enumerate(xs: Arg, start: Arg = 0): Value {
  const got = items(xs);
  const s = asIndex(start);
  return got.map((x, i) => new PyTuple([s + i, x]));
}

export function zip(xs: Arg, ys: Arg, strict: Arg = false): Value {
  const a = items(xs);
  const b = items(ys);
  if (truthy(strict) && a.length !== b.length) {
    throw raise("ValueError", `zip() argument 2 is ${b.length < a.length ? "shorter" : "longer"} than argument 1`);
  }
  return Array.from({ length: Math.min(a.length, b.length) }, (_, i) => new PyTuple([a[i], b[i]]));
}

export function any(xs: Arg): Value {
  return items(xs).some((x) => truthy(x));
}

export function all(xs: Arg): Value {
  return items(xs).every((x) => truthy(x));
}

/** dict(pairs): each item a sequence of two. */
export function dict(pairs?: Arg): Value {
  const out = new Map<Value, Value>();
  if (pairs === undefined) return out;
  const v = unbox(pairs);
  if (v instanceof Map) return new Map(v);
  items(v).forEach((p, i) => {
    if (!(Array.isArray(p) || p instanceof PyTuple || typeof p === "string" || p instanceof Map)) {
      throw typeError(`cannot convert dictionary update sequence element #${i} to a sequence`);
    }
    const kv = items(p);
    if (kv.length !== 2) {
      throw raise("ValueError", `dictionary update sequence element #${i} has length ${kv.length}; 2 is required`);
    }
    dictSet(out, kv[0], kv[1]);
  });
  return out;
}

export function sum(xs: Arg, start: Arg = 0): Value {
  if (typeof unbox(start) === "string") throw typeError("sum() can't sum strings [use ''.join(seq) instead]");
  let acc: Value = unbox(start);
  const f = start instanceof PyFloat ? 1 : 0;
  for (const x of items(xs)) acc = add(acc, x, f);
  return acc;
}

type Key = ((x: Value) => Value) | null;

/** min()/max(): of one iterable (``default`` where it is empty) or of several values, by ``key``. */
function minmax(name: "min" | "max", args: Arg[], key: Key, dflt: Value | undefined): Value {
  if (args.length > 1 && dflt !== undefined) {
    throw typeError(`Cannot specify a default for ${name}() with multiple positional arguments`);
  }
  const xs = args.length === 1 ? items(args[0]) : args.map(unbox);
  if (xs.length === 0) {
    if (dflt !== undefined) return dflt;
    throw raise("ValueError", `${name}() arg is an empty sequence`);
  }
  let best = xs[0];
  let bestKey = key ? key(best) : best;
  for (let i = 1; i < xs.length; i++) {
    const k = key ? key(xs[i]) : xs[i];
    if (order(name === "min" ? "<" : ">", k, bestKey)) {
      best = xs[i];
      bestKey = k;
    }
  }
  return best;
}

export function min(args: Arg[], key: Key = null, dflt?: Value): Value {
  return minmax("min", args, key, dflt);
}

export function max(args: Arg[], key: Key = null, dflt?: Value): Value {
  return minmax("max", args, key, dflt);
}

/** CPython's count_run and binary insertion sort (timsort for lists shorter than 64), so that a TypeError
 *  of a mixed list names its types in Python's order; longer lists merge runs of 32 stably. */
function sortKeys(keys: Value[], idx: number[]): void {
  const less = (a: number, b: number): boolean => lt(keys[a], keys[b]);
  const run = (lo: number, hi: number): void => {
    if (hi - lo < 2) return;
    let n = lo + 1;
    if (less(idx[n], idx[n - 1])) {
      for (n++; n < hi && less(idx[n], idx[n - 1]); n++);
      idx.splice(lo, n - lo, ...idx.slice(lo, n).reverse());
    } else {
      for (n++; n < hi && !less(idx[n], idx[n - 1]); n++);
    }
    for (let start = n; start < hi; start++) {
      const pivot = idx[start];
      let l = lo;
      let r = start;
      do {
        const p = l + ((r - l) >> 1);
        if (less(pivot, idx[p])) r = p;
        else l = p + 1;
      } while (l < r);
      idx.splice(start, 1);
      idx.splice(l, 0, pivot);
    }
  };
  const width = idx.length < 64 ? idx.length : 32;
  for (let lo = 0; lo < idx.length; lo += width) run(lo, Math.min(lo + width, idx.length));
  for (let w = width; w < idx.length; w *= 2) {
    for (let lo = 0; lo + w < idx.length; lo += 2 * w) {
      const mid = lo + w;
      const hi = Math.min(lo + 2 * w, idx.length);
      const left = idx.slice(lo, mid);
      const right = idx.slice(mid, hi);
      let i = 0;
      let j = 0;
      let k = lo;
      while (i < left.length && j < right.length) idx[k++] = less(right[j], left[i]) ? right[j++] : left[i++];
      while (i < left.length) idx[k++] = left[i++];
      while (j < right.length) idx[k++] = right[j++];
    }
  }
}

/** sorted(xs, key=, reverse=): stable; reverse keeps equal items in their order, as Python's does. */
export function sorted(xs: Arg, key: Key = null, reverse: Arg = false): Value {
  const src = [...items(xs)];
  const rev = truthy(reverse);
  if (rev) src.reverse();
  const keys = key ? src.map(key) : src;
  const idx = src.map((_, i) => i);
  sortKeys(keys, idx);
  const out = idx.map((i) => src[i]);
  if (rev) out.reverse();
  return out;
}

// ---------------------------------------------------------------------------------- dict and list
export function dict_get(d: Arg, k: Arg, dflt: Value = null): Value {
  const found = dictLookup(asDict(d, "get"), k);
  return found === undefined ? dflt : found[1];
}

export function dict_keys(d: Arg): Value {
  return [...asDict(d, "keys").keys()];
}

export function dict_values(d: Arg): Value {
  return [...asDict(d, "values").values()];
}

export function dict_items(d: Arg): Value {
  return [...asDict(d, "items")].map(([k, v]) => new PyTuple([k, v]));
}

export function list_append(xs: Arg, x: Value): Value {
  asList(xs, "append").push(x);
  return null;
}

export function list_extend(xs: Arg, ys: Arg): Value {
  const target = asList(xs, "extend");
  target.push(...items(ys));
  return null;
}
