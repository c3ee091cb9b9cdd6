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

/** A field of the UTC time (Python's t.year ...). */
function utc(v: Arg, name: string): Date {
  return new Date(asDatetime(v, name).ms);
}

export function datetime_year(v: Arg): Value {
  return utc(v, "year").getUTCFullYear();
}

export function datetime_month(v: Arg): Value {
  return utc(v, "month").getUTCMonth() + 1;
}

export function datetime_day(v: Arg): Value {
  return utc(v, "day").getUTCDate();
}

export function datetime_hour(v: Arg): Value {
  return utc(v, "hour").getUTCHours();
}

export function datetime_minute(v: Arg): Value {
  return utc(v, "minute").getUTCMinutes();
}

export function datetime_second(v: Arg): Value {
  return utc(v, "second").getUTCSeconds();
}

export function datetime_microsecond(v: Arg): Value {
  return microsecond(asDatetime(v, "microsecond"));
}
