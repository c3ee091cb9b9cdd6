// ctx.now()'s datetime: an aware UTC datetime (milliseconds, and the microseconds past one that adding a
// timedelta may give), with the methods and fields the catalogue has (timestamp(), isoformat(), .year ...)
// and Python's str() ('2024-05-01 12:00:00.123000+00:00').

import { trueDivide } from "./pytimedelta";
import { type Arg, PyDatetime, type Value, noAttribute, typeError, typeName } from "./pyvalue";

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

/** t.weekday(): Monday is 0 (getUTCDay counts from Sunday). */
export function datetime_weekday(v: Arg): Value {
  return (utc(v, "weekday").getUTCDay() + 6) % 7;
}

export function datetime_isoweekday(v: Arg): Value {
  return ((utc(v, "isoweekday").getUTCDay() + 6) % 7) + 1;
}

export function datetime_microsecond(v: Arg): Value {
  return microsecond(asDatetime(v, "microsecond"));
}

const DAY = 86_400_000;
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

/** What CPython (glibc, the C locale) writes for each directive of a UTC time; the frontend lets a
 *  literal format of these only through (%Y is not padded: year 999 is '999'). */
const DIRECTIVES: Record<string, (t: Date, d: PyDatetime) => string> = {
  Y: (t) => String(t.getUTCFullYear()),
  y: (t) => pad(t.getUTCFullYear() % 100),
  m: (t) => pad(t.getUTCMonth() + 1),
  d: (t) => pad(t.getUTCDate()),
  H: (t) => pad(t.getUTCHours()),
  I: (t) => pad(t.getUTCHours() % 12 || 12),
  p: (t) => (t.getUTCHours() < 12 ? "AM" : "PM"),
  M: (t) => pad(t.getUTCMinutes()),
  S: (t) => pad(t.getUTCSeconds()),
  f: (_, d) => pad(microsecond(d), 6),
  j: (t) => pad((Math.floor(t.getTime() / DAY) * DAY - yearStart(t)) / DAY + 1, 3),
  a: (t) => DAYS[t.getUTCDay()].slice(0, 3),
  A: (t) => DAYS[t.getUTCDay()],
  b: (t) => MONTHS[t.getUTCMonth()].slice(0, 3),
  B: (t) => MONTHS[t.getUTCMonth()],
  z: () => "+0000",
  Z: () => "UTC",
  "%": () => "%",
};

function yearStart(t: Date): number {
  const start = new Date(0);
  start.setUTCFullYear(t.getUTCFullYear(), 0, 1); // Date.UTC maps the years 0-99 to 1900-1999
  return start.getTime();
}

export function datetime_strftime(v: Arg, format: Arg): Value {
  const d = asDatetime(v, "strftime");
  if (typeof format !== "string") throw typeError(`strftime() argument 1 must be str, not ${typeName(format)}`);
  const t = new Date(d.ms);
  return format.replace(/%(.)/gsu, (whole, c: string) => (c in DIRECTIVES ? DIRECTIVES[c](t, d) : whole));
}
