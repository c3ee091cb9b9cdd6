// ctx.now()'s datetime: an aware UTC datetime (milliseconds, and the microseconds past one that adding a
// timedelta may give), with the methods and fields the catalogue has (timestamp(), isoformat(), .year ...)
// and Python's str() ('2024-05-01 12:00:00.123000+00:00').

import { trueDivide } from "./pytimedelta";
import { type Arg, PyDatetime, type Value, noAttribute } from "./pyvalue";

export function datetimeFromMillis(ms: number): Value {
  return new PyDatetime(ms);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** The microsecond field (0-999999). */
export function microsecond(d: PyDatetime): number {
  return new Date(d.ms).getUTCMilliseconds() * 1000 + d.us;
}

/** Python's isoformat(sep): microseconds unless they are 0, and the UTC offset '+00:00'. */
export function isoformat(d: PyDatetime, sep = "T"): string {
  const t = new Date(d.ms);
  const date = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const us = microsecond(d);
  return `${date}${sep}${time}${us ? `.${pad(us, 6)}` : ""}+00:00`;
}

function asDatetime(v: Arg, method: string): PyDatetime {
  if (!(v instanceof PyDatetime)) throw noAttribute(v, method);
  return v;
}

/** datetime.timestamp(): seconds since the epoch, a float (Python's microseconds / 10**6, correctly
 *  rounded; ms / 1000 is that for whole milliseconds). */
export function datetime_timestamp(v: Arg): Value {
  const d = asDatetime(v, "timestamp");
  return d.us === 0 ? d.ms / 1000 : trueDivide(d.micros, 1_000_000n);
}

export function datetime_isoformat(v: Arg): Value {
  return isoformat(asDatetime(v, "isoformat"));
}

const field =
  (name: string, get: (t: Date, d: PyDatetime) => number) =>
  (v: Arg): Value => {
    const d = asDatetime(v, name);
    return get(new Date(d.ms), d);
  };

export const datetime_year = field("year", (t) => t.getUTCFullYear());
export const datetime_month = field("month", (t) => t.getUTCMonth() + 1);
export const datetime_day = field("day", (t) => t.getUTCDate());
export const datetime_hour = field("hour", (t) => t.getUTCHours());
export const datetime_minute = field("minute", (t) => t.getUTCMinutes());
export const datetime_second = field("second", (t) => t.getUTCSeconds());
export const datetime_microsecond = field("microsecond", (_, d) => microsecond(d));
