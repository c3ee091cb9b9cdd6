// Python's semantics for the lowered workflow code: what durable.ts, index.ts and the expressions lowered
// by portaflow/backends/cloudflare/lower/expr.py call (``py.add(a, b)``, ``py.str_upper(s)``...). The
// values and their rules are in pyvalue.ts; the other py*.ts files hold one subject each.

import { type Arg, EventFailed, PyError, StepFailed, type Value, eq, noAttribute, order, truthy, unbox } from "./pyvalue";
import { contains, setContains } from "./pyseq";

export * from "./pyvalue";
export * from "./pyrepr";
export * from "./pynum";
export * from "./pyformat";
export * from "./pyseq";
export * from "./pystr";
export * from "./pyjson";
export * from "./pydatetime";
export * from "./pytimedelta";

/** bool(x). */
export function bool(v?: Arg): Value {
  return v === undefined ? false : truthy(v);
}

export function not(v: Arg): Value {
  return !truthy(v);
}

/** One comparison of a (possibly chained) Compare: ``a <op> b``. */
export function compare(op: string, a: Arg, b: Arg): boolean {
  switch (op) {
    case "==":
      return eq(a, b);
    case "!=":
      return !eq(a, b);
    case "<":
    case "<=":
    case ">":
    case ">=":
      return order(op, a, b);
    case "in":
      return contains(b, a);
    case "not in":
      return !contains(b, a);
    case "in set":
      return setContains(b, a);
    case "not in set":
      return !setContains(b, a);
    case "is":
      return is(a, b);
    case "is not":
      return !is(a, b);
  }
  throw new Error(`unknown comparison ${op}`);
}

/** ``a is b``: identity; None, True and False are singletons (and a number is not a bool). */
function is(a: Arg, b: Arg): boolean {
  const x = unbox(a);
  const y = unbox(b);
  return x === y && typeof x === typeof y;
}

/** ``e.type`` / ``e.message`` / ``e.step`` / ``e.attempts`` / ``str(e)`` / ``type(e).__name__`` of a caught
 *  error, as the local engine gives them: a failed step's are its error's; another error has no step or
 *  attempts (None), or, where ``only`` (an attribute only StepFailed has, and EventFailed its type and
 *  message), Python's AttributeError. */
export function errorField(e: Value, field: "type" | "message" | "step" | "attempts", only: boolean): Value {
  if (e instanceof StepFailed) {
    return { type: e.errorType, message: e.errorMessage, step: e.step, attempts: e.attempts }[field];
  }
  if (!(e instanceof PyError)) throw noAttribute(e, field);
  if (e instanceof EventFailed && (field === "type" || field === "message")) return e[field];
  if (only) throw noAttribute(e, field);
  return field === "type" ? e.type : field === "message" ? e.message : null;
}
