// ctx.now()'s datetime: an aware UTC datetime in whole milliseconds, with the methods the catalogue has
// (timestamp(), isoformat()) and Python's str() ('2024-05-01 12:00:00.123000+00:00').

import { type Arg, PyDatetime, type Value, noAttribute } from "./pyvalue";

export function datetimeFromMillis(ms: number): Value {
  return new PyDatetime(ms);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** Python's isoformat(sep): microseconds unless they are 0, and the UTC offset '+00:00'. */
export function isoformat(d: PyDatetime, sep = "T"): string {
  const t = new Date(d.ms);
  const date = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const ms = t.getUTCMilliseconds();
  return `${date}${sep}${time}${ms ? `.${pad(ms * 1000, 6)}` : ""}+00:00`;
}

function asDatetime(v: Arg, method: string): PyDatetime {
  if (!(v instanceof PyDatetime)) throw noAttribute(v, method);
  return v;
}

/** datetime.timestamp(): seconds since the epoch, a float (ms / 1000 is Python's correctly rounded
 *  microseconds / 10**6 for whole milliseconds). */
export function datetime_timestamp(v: Arg): Value {
  return asDatetime(v, "timestamp").ms / 1000;
}

export function datetime_isoformat(v: Arg): Value {
  return isoformat(asDatetime(v, "isoformat"));
}
