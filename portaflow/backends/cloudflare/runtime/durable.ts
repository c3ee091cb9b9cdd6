// The durable part of a generated Cloudflare workflow: what every lowered workflow calls, written once.
//
// Numbering: every step call, child workflow, ctx.map and ctx.parallel takes the next number of its scope,
// as on the local engine, so idempotency keys (`<run id>:<path>`) are the local engine's. Cloudflare caches
// `step.do` results by name and call order, so every durable operation gets a unique, deterministic name
// built from that path (a parallel branch's path names its branch: completion order never renames a step).
//
// Retries: each attempt is a `step.do` of its own (`retries.limit` 0) and the delay before the next one a
// `step.sleep`, so delays are portaflow's RetryPolicy exactly (any backoff coefficient, max_interval capped,
// sub-second), which Cloudflare's `{delay, backoff: "exponential"}` (delay * 2^(n-1), uncapped) cannot say.
// A step's error comes back as the result of its `step.do` (an envelope with the Python type, message and
// MRO), so a replay sees the same failure and the workflow, not Cloudflare, decides what is retried.

import type { WorkflowSleepDuration, WorkflowStep, WorkflowStepConfig } from "cloudflare:workers";

import { type EventsEnv, routeEvent } from "./events";
import * as py from "./py";

export interface Env extends EventsEnv {
  STEP_HOST: string;
  STEP_SECRET: string;
  /** Only set by portaflow's offline executor (virtual time, observation); never in production. */
  PORTAFLOW_HOOKS?: string;
}

export interface RetrySpec {
  max_attempts: number;
  initial_interval: number;
  backoff: number;
  max_interval: number;
  non_retryable: string[];
  retry_on: string[];
  jitter?: number; // RetryPolicy(jitter=...): the random fraction of each delay (1 = "full")
}

export interface StepSpec {
  name: string; // what the run shows (the @step's name)
  key: string; // its key in the program: the step host's path
  params: string[];
  wants_key: boolean;
  retry: RetrySpec;
  timeout: number | null; // seconds per attempt
}

type Value = py.Value;

/** JSON as the Workers RPC types accept it (a recursive type alias hits TS2589; interfaces do not). */
export type JsonValue = string | number | boolean | null | JsonArray | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface JsonArray extends Array<JsonValue> {}
type Body = (scope: Scope) => Promise<Value>;
type ChildBody = (scope: Scope, args: Value[]) => Promise<Value>;

interface Parked {
  kind: "sleep" | "retry" | "event";
  name: string;
  seconds: number | null; // this part's (a sleep longer than Cloudflare's is several parts)
  total?: number; // the whole sleep's, on its first part
  event?: string;
  label?: string; // a labelled event wait's label (ctx.wait_for_event(label=...))
}

const LONGEST_WAIT = 365 * 86400; // Cloudflare's longest sleep and event timeout
const NO_STEP_TIMEOUT = "24 hours";
// offline, the engine's real wait (the executor ends it): under 2^31 ms, past which workerd's timers fire at once
const OFFLINE_WAIT = 20 * 86400; // a step without timeout=: Cloudflare's default would be 10 minutes

/** The numbering of durable calls in the workflow, a child workflow or a parallel branch. */
export class Scope {
  n = 0; // the next call number (steps, children, maps, parallels), as the local engine counts
  private ops = 0; // the next number of this scope's other operations (sleeps, waits, now/uuid4/random)
  private logsAt: [number, number] = [0, -1]; // ctx.log: (call number, its last log line's number)

  constructor(
    readonly run: Run,
    readonly prefix: string,
  ) {}

  nextPath(): string {
    return `${this.prefix}${this.n++}`;
  }

  /** A unique name for an operation that takes no call number (a sleep, an event wait, ctx.now()). */
  opName(kind: string, label = ""): string {
    return stepName(`${this.prefix}~${kind}${this.ops++}`, label);
  }

  /** ctx.log: the step position of the next line (the next call's path) and its number there. */
  logPosition(): [string, number] {
    const n = this.logsAt[0] === this.n ? this.logsAt[1] + 1 : 0;
    this.logsAt = [this.n, n];
    return [`${this.prefix}${this.n}`, n];
  }

  /** ctx.idempotency_key(): the key the next step call here gets. */
  key(): string {
    return `${this.run.runId}:${this.prefix}${this.n}`;
  }
}

/** In an instance's params: the ctx.patched change ids of the code that created it. */
export const PATCHES_KEY = "~patches";

/** The params an instance is created with: the workflow's input object and, when the workflow calls
 *  ``ctx.patched``, the change ids this code has. Every replay reads them back, so an instance created
 *  before a change was deployed keeps its old branch under the new code (docs/semantics.md). */
export function startParams(input: JsonValue, patches: string[]): JsonValue {
  if (patches.length === 0 || input === null || typeof input !== "object" || Array.isArray(input)) return input;
  return { ...input, [PATCHES_KEY]: [...patches].sort() };
}

export class Run {
  readonly root: Scope;
  private readonly hooks: string | undefined;
  private patches = new Set<string>(); // the instance's PATCHES_KEY (bind reads them)
  private readonly epoch = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  private seq = 0;
  private fibers = 1;
  private readonly parked = new Map<number, Parked>();
  private parkIds = 0;

  private deadline: number | null = null; // epoch ms of @workflow(timeout=...)'s end

  constructor(
    readonly step: WorkflowStep,
    readonly env: Env,
    readonly runId: string,
    readonly workflow: string,
    readonly steps: Record<string, StepSpec>,
    readonly timeout: number | null = null,
  ) {
    this.root = new Scope(this, "");
    this.hooks = env.PORTAFLOW_HOOKS;
  }

  /** Before the workflow's body: @workflow(timeout=...) counts from the run's first start, which every
   *  replay reads back from its step. */
  async begin(): Promise<void> {
    if (this.timeout === null) return;
    const start = await this.step.do("~start", () => this.clock());
    this.deadline = start + this.timeout * 1000;
  }

  /** Before each step attempt and context call, as the local engine checks. */
  private async checkDeadline(): Promise<void> {
    if (this.deadline !== null && (await this.clock()) >= this.deadline) throw new Deadline();
  }

  /** ``seconds``, cut at the deadline: a sleep, wait or retry delay ends there at the latest. */
  private async bounded(seconds: number): Promise<{ seconds: number; cut: boolean }> {
    if (this.deadline === null) return { seconds, cut: false };
    const left = Math.max((this.deadline - (await this.clock())) / 1000, 0);
    return left < seconds ? { seconds: left, cut: true } : { seconds, cut: false };
  }

  /** The run's failure for ``err`` ({type, message}), or undefined for an error of the engine's own. */
  failureOf(err: unknown): { type: string; message: string } | undefined {
    if (err instanceof Deadline && this.deadline !== null && this.timeout !== null) {
      const until = new Date(this.deadline).toISOString().slice(0, 19).replace("T", " ");
      return {
        type: "WorkflowTimeout",
        message:
          `workflow '${this.workflow}' passed its execution timeout of ${formatDuration(this.timeout)} ` +
          `(@workflow(timeout=...)): the run had until ${until} UTC`,
      };
    }
    return failureOf(err);
  }

  // ------------------------------------------------------------------------------------------ input
  /** The workflow's parameters from the instance's params, by name, with the local engine's errors. */
  bind(input: unknown, params: string[], required: string[]): Map<Value, Value> {
    const data = input === undefined || input === null ? new Map<Value, Value>() : py.fromJson(input);
    if (!(data instanceof Map)) {
      throw py.error(
        "TypeError",
        `the input must be a JSON object of the workflow's parameters, not ${py.repr(data)}`,
      );
    }
    const recorded = data.get(PATCHES_KEY);
    if (Array.isArray(recorded)) this.patches = new Set(recorded.filter((x): x is string => typeof x === "string"));
    data.delete(PATCHES_KEY);
    const missing = required.filter((p) => !data.has(p));
    if (missing.length > 0) {
      throw py.error("TypeError", `the input lacks the parameter(s) ${missing.join(", ")}`);
    }
    const unknown = [...data.keys()].filter((k) => typeof k !== "string" || !params.includes(k));
    if (unknown.length > 0) {
      throw py.error("TypeError", `the input has unknown parameter(s) ${unknown.map(String).join(", ")}`);
    }
    return data;
  }

  /** ``ctx.patched(changeId)``: whether the code that created this instance had the change. */
  patched(changeId: string): boolean {
    return this.patches.has(changeId);
  }

  // -------------------------------------------------------------------------------- offline hooks
  private async hook(op: string, body: Record<string, unknown>): Promise<unknown> {
    if (this.hooks === undefined) return undefined;
    const res = await fetch(`${this.hooks}/${op}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instance: this.runId, ...body }),
    });
    return res.json();
  }

  private async state(extra: Record<string, unknown> = {}): Promise<void> {
    if (this.hooks === undefined) return;
    await this.hook("state", {
      epoch: this.epoch,
      seq: ++this.seq,
      fibers: this.fibers,
      parked: [...this.parked.values()],
      ...extra,
    });
  }

  /** Run ``wait`` (a step.sleep or step.waitForEvent) as a parked point the offline executor can see.
   *  A point that ended (returned, or its event wait timed out) is posted as ``done``: after a resume,
   *  run() passes through such points again at once, and the executor must not take them for waits. */
  private async park<T>(point: Parked, wait: () => Promise<T>): Promise<T> {
    const id = this.parkIds++;
    this.parked.set(id, point);
    await this.state();
    let ended = false;
    let received = false; // an event wait that took an event (the executor counts those it sent)
    try {
      if (this.hooks !== undefined && point.kind !== "event") await this.wake(point.name);
      const result = await wait();
      ended = true;
      received = point.kind === "event";
      return result;
    } catch (err) {
      ended = point.kind === "event" && isEventTimeout(err);
      throw err;
    } finally {
      this.parked.delete(id);
      await this.state(ended ? { done: point.name, ...(received ? { received: point.event } : {}) } : {});
    }
  }

  /** Offline: until the executor's virtual clock reaches this sleep's end. It then disables the sleep
   *  through the engine's instance modifier, so the engine's own step.sleep that follows completes at once
   *  (the engine re-checks a modifier only when a sleep is entered, and cannot interrupt a sleep it
   *  resumed). Pausing the instance meanwhile ends the wait as the engine's pause ends a sleep. */
  private async wake(name: string): Promise<void> {
    const got = (await this.hook("wake", { epoch: this.epoch, name })) as { abort?: string };
    if (got.abort) throw new Error(got.abort);
  }

  /** run() ends by an error of the engine's own (a pause, an eviction): this invocation is over, and the
   *  engine may start the next (the offline executor resumes an instance only then). */
  async abandoned(): Promise<void> {
    await this.state({ abandoned: true });
  }

  /** The main body ended (``failed``: with this error): the executor's last view of the run. */
  async finished(failed?: { type: string; message: string }): Promise<void> {
    this.fibers = 0;
    await this.state(failed ? { failed } : { finished: true });
  }

  // ------------------------------------------------------------------------------------------ time
  /** How long the engine really waits: as asked, but under the offline executor, which ends every wait
   *  itself on its virtual clock (through the engine's instance modifiers), as long as Cloudflare allows. */
  private realSeconds(seconds: number): number {
    return this.hooks === undefined || seconds === 0 ? seconds : OFFLINE_WAIT;
  }


  private async clock(): Promise<number> {
    if (this.hooks === undefined) return Date.now();
    const got = (await this.hook("clock", {})) as { now: number };
    return Math.round(got.now * 1000);
  }

  /** ctx.now(): the time, recorded by a step so that every replay sees the same value. */
  async now(scope: Scope): Promise<Value> {
    await this.checkDeadline();
    const ms = await this.step.do(scope.opName("now"), () => this.clock());
    return py.datetimeFromMillis(ms);
  }

  async uuid4(scope: Scope): Promise<Value> {
    await this.checkDeadline();
    return this.step.do(scope.opName("uuid4"), async () => crypto.randomUUID());
  }

  async random(scope: Scope): Promise<Value> {
    await this.checkDeadline();
    return this.step.do(scope.opName("random"), async () => Math.random());
  }

  async sleep(scope: Scope, duration: Value): Promise<void> {
    const asked = parseDuration(duration, "ctx.sleep duration");
    await this.checkDeadline();
    const { seconds: total, cut } = await this.bounded(asked);
    await this.pause(scope.opName("sleep"), "sleep", total);
    if (cut) throw new Deadline();
  }

  /** A durable sleep of ``total`` seconds: consecutive sleeps where it is longer than Cloudflare's. */
  private async pause(name: string, kind: "sleep" | "retry", total: number): Promise<void> {
    let left = total;
    for (let part = 0; part === 0 || left > 0; part++) {
      const seconds = Math.min(left, LONGEST_WAIT);
      const partName = part === 0 ? name : `${name}.${part}`;
      const point: Parked = { kind, name: partName, seconds, ...(part === 0 ? { total } : {}) };
      await this.park(point, () => this.step.sleep(partName, sleepDuration(this.realSeconds(seconds))));
      left -= seconds;
    }
  }

  // ---------------------------------------------------------------------------------------- events
  /** The payload of the next event ``type`` (events sent early are the engine's buffer, in order), or
   *  None once ``timeout`` seconds passed (EventTimeout with ``raiseOnTimeout``); an event sent as a
   *  failure (``eventFailure``) raises EventFailed. No timeout: consecutive waits of Cloudflare's longest.
   *  A label is part of the wait's step name, so the dashboard's step list shows it. */
  async waitForEvent(
    scope: Scope,
    type: string,
    duration: Value,
    raiseOnTimeout = false,
    label: string | null = null,
  ): Promise<Value> {
    // a timeout computed at run time is read as the local engine's ctx.wait_for_event reads it
    const timeout = duration === null ? null : parseDuration(duration, "ctx.wait_for_event timeout");
    if (raiseOnTimeout && timeout === null) {
      throw py.error("WorkflowError", "ctx.wait_for_event raise_on_timeout=True needs a timeout");
    }
    await this.checkDeadline();
    const limit = await this.bounded(timeout ?? Infinity);
    let left = limit.cut || timeout !== null ? limit.seconds : null;
    const name = scope.opName("event", label === null ? type : `${type} (${label})`);
    let engineType = await eventType(type); // a name computed at run time may need its stand-in
    const routed = this.env.EVENTS !== undefined; // events.ts: which open wait takes an event is the router's
    if (routed) {
      engineType = await eventType(`wait ${name}`); // its own type, which only the router sends to
      const seconds = left;
      const opened = await this.step.do(`${name} open`, async () => {
        // its deadline (epoch ms): an event sent later is not this wait's, as locally
        const deadline = seconds === null ? null : (await this.clock()) + seconds * 1000;
        return routeEvent(this.env, this.runId, "open", { name: type, position: scope.prefix, type: engineType, deadline, op: `${name} open` });
      });
      if ("payload" in opened) {
        await this.state({ done: name, received: type }); // a buffered event, taken at once
        return eventValue(type, opened.payload ?? null);
      }
    }
    for (let part = 0; ; part++) {
      const seconds = left === null ? LONGEST_WAIT : Math.min(left, LONGEST_WAIT);
      const partName = part === 0 ? name : `${name}.${part}`;
      const point: Parked = { kind: "event", name: partName, seconds: left, event: type };
      if (label !== null) point.label = label;
      try {
        const event = await this.park(point, () =>
          this.step.waitForEvent<JsonValue>(partName, {
            type: engineType,
            timeout: sleepDuration(this.realSeconds(seconds)),
          }),
        );
        return eventValue(type, event.payload ?? null);
      } catch (err) {
        if (!isEventTimeout(err)) throw err;
        if (left !== null) {
          left -= seconds;
          if (left <= 0) {
            if (routed) {
              const closed = await this.step.do(`${name} close`, () =>
                routeEvent(this.env, this.runId, "close", { name: type, type: engineType, op: `${name} close` }),
              );
              if ("routed" in closed) {
                // the router gave it an event before the wait ended: it is in the engine's buffer now
                const late = await this.step.waitForEvent<JsonValue>(`${name} late`, { type: engineType, timeout: "1 hour" });
                return eventValue(type, late.payload ?? null);
              }
            }
            if (limit.cut) throw new Deadline();
            if (raiseOnTimeout) throw eventTimeout(type, timeout ?? 0);
            return null;
          }
        }
      }
    }
  }

  /** ctx.log(message, **fields): written by a step.do of its own, whose callback Cloudflare runs once
   *  and replays from its cache after, so the line is written once (console.log: one JSON object, which
   *  Workers Logs shows as fields). It takes no call number: step keys stay as they are. */
  async log(scope: Scope, message: Value, fields: Value): Promise<void> {
    const [position, n] = scope.logPosition();
    let json: unknown;
    try {
      json = py.toJson(fields);
    } catch (err) {
      if (!(err instanceof py.PyError)) throw err;
      const what = "the fields of ctx.log must be a JSON value (dict, list, str, number, bool, None)";
      throw py.error("WorkflowError", `${what}: ${err.message}`); // the local engine's error
    }
    const record = { logger: "portaflow.workflow", message: py.str(message), run_id: this.runId, position, fields: json };
    await this.step.do(`log ${position}#${n}`, async () => {
      console.log(JSON.stringify(record));
      await this.hook("log", record);
      return null;
    });
  }

  // ----------------------------------------------------------------------------------------- steps
  async callStep(scope: Scope, key: string, args: Map<Value, Value>, extra?: Value): Promise<Value> {
    const spec = this.steps[key];
    const path = scope.nextPath();
    const idem = `${this.runId}:${path}`;
    const call = new Map(args);
    if (extra !== undefined) {
      if (!(extra instanceof Map)) {
        throw py.error("TypeError", `argument after ** must be a mapping, not ${py.typeName(extra)}`);
      }
      for (const [k, v] of extra) call.set(k, v);
    }
    const payload = stepArguments(call, spec.name);
    const retry = spec.retry;
    const config: WorkflowStepConfig = {
      retries: { limit: 0, delay: "1 second", backoff: "constant" },
      timeout: spec.timeout === null ? NO_STEP_TIMEOUT : sleepDuration(spec.timeout),
    };
    for (let attempt = 1; ; attempt++) {
      await this.checkDeadline();
      const envelope = await this.attempt(stepName(`${path} #${attempt}`, spec.name), config, spec, {
        args: payload,
        idempotency_key: idem,
        attempt,
        run_id: this.runId,
        non_retryable: retry.non_retryable,
        retry_on: retry.retry_on,
      });
      if (this.hooks !== undefined) {
        // offline: the attempt as the workflow saw it (a replay reports it again; the executor keeps one)
        const error = envelope.error ? { type: envelope.error.type, message: envelope.error.message } : null;
        await this.hook("attempt", { step: spec.name, key: idem, attempt, args: payload, error });
      }
      if (envelope.error === undefined) return py.fromJson(envelope.result ?? null);
      const info = envelope.error;
      const mro = new Set(info.mro);
      let retryable = !retry.non_retryable.some((n) => mro.has(n));
      if (retry.retry_on.length > 0) retryable = retryable && retry.retry_on.some((n) => mro.has(n));
      if (!retryable || attempt >= retry.max_attempts) {
        throw py.stepFailed(spec.name, attempt, info.type, info.message, info.mro);
      }
      const delay = await jittered(
        Math.min(retry.initial_interval * retry.backoff ** (attempt - 1), retry.max_interval),
        retry.jitter ?? null,
        idem,
        attempt,
      );
      const wait = await this.bounded(delay);
      await this.pause(stepName(`${path} retry${attempt}`, spec.name), "retry", wait.seconds);
      if (wait.cut) throw new Deadline();
    }
  }

  /** One attempt: the step host's answer, kept by Cloudflare as this step's result (a failure too). */
  private async attempt(
    name: string,
    config: WorkflowStepConfig,
    spec: StepSpec,
    body: Record<string, unknown>,
  ): Promise<Envelope> {
    let text: string;
    try {
      text = await this.step.do(name, config, () => this.post(spec.key, JSON.stringify(body)));
    } catch (err) {
      if (!isStepTimeout(err)) throw err;
      // the attempt ran out of time: the local engine's TimeoutError, retried like any other failure
      const message = `step '${spec.name}' timed out after ${formatDuration(spec.timeout ?? 0)}`;
      return { error: { type: "TimeoutError", message, mro: TIMEOUT_MRO } };
    }
    return JSON.parse(text) as Envelope;
  }

  /** The step host's answer as JSON text. An answer that is not the step's own (the host unreachable,
   *  a 401 or 5xx) is this attempt's ConnectionError, retried by the step's policy like any failure. */
  private async post(key: string, body: string): Promise<string> {
    const timestamp = Math.floor(Date.now() / 1000).toString(); // real time: the host checks it
    const signature = await sign(this.env.STEP_SECRET, `${timestamp}.${body}`);
    const url = `${this.env.STEP_HOST.replace(/\/+$/, "")}/steps/${encodeURIComponent(key)}`;
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-portaflow-timestamp": timestamp,
          "x-portaflow-signature": `v1=${signature}`,
        },
        body,
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      status = 0;
      text = String(err);
    }
    if (status === 200) return text;
    const message = `the step host at ${this.env.STEP_HOST} answered ${status || "nothing"} for step ${key}: ${text.slice(0, 300)}`;
    return JSON.stringify({ error: { type: "ConnectionError", message, mro: CONNECTION_MRO } });
  }

  // ------------------------------------------------------------------------------ child workflows
  /** A child workflow runs in this instance, its calls numbered under the call's own number; its
   *  arguments and result are copied as JSON, as they are between runs on the local engine. */
  async child(scope: Scope, name: string, args: Value[], body: ChildBody): Promise<Value> {
    await this.checkDeadline();
    const path = scope.nextPath();
    const copied = args.map((a) => (a === undefined ? a : jsonCopy(a, `the arguments of child workflow '${name}'`)));
    const result = await body(new Scope(this, `${path}.`), copied);
    return jsonCopy(result, `the result of child workflow '${name}'`);
  }

  // ------------------------------------------------------------------------------ map and parallel
  /** ``ctx.map(child, items)``: item i runs the child workflow at path.i (its calls under path.i.). */
  async mapWorkflow(
    scope: Scope,
    name: string,
    items: Value,
    limit: Value,
    body: ChildBody,
    tolerance?: Tolerance,
  ): Promise<Value> {
    const path = scope.nextPath();
    const values = py.list(items) as Value[];
    const calls = values.map((value, i) => async () => {
      const sub = new Scope(this, `${path}.`);
      sub.n = i; // item i is the child call at path.i
      return this.child(sub, name, [value], body);
    });
    return this.fanOut(calls, limit, tolerance);
  }

  async map(scope: Scope, key: string, items: Value, limit: Value, tolerance?: Tolerance): Promise<Value> {
    const path = scope.nextPath();
    const param = this.steps[key].params[0];
    const values = py.list(items) as Value[];
    const calls = values.map((value, i) => async () => {
      const sub = new Scope(this, `${path}.`);
      sub.n = i; // item i's key is path.i
      return this.callStep(sub, key, new Map<Value, Value>([[param, value]]));
    });
    return this.fanOut(calls, limit, tolerance);
  }

  async parallel(scope: Scope, branches: Body[], limit: Value, tolerance?: Tolerance): Promise<Value> {
    const path = scope.nextPath();
    const calls = branches.map((branch, b) => async () => {
      const result = await branch(new Scope(this, `${path}.${b}.`));
      return jsonCopy(result, `the result of ctx.parallel branch ${b}`);
    });
    return this.fanOut(calls, limit, tolerance);
  }

  /** Every call, at most ``limit`` at once; results in order; the lowest-index failure is raised once
   *  every call has finished, as on the local engine (with a ``tolerance``: see ``settle``). */
  private async fanOut(calls: Array<() => Promise<Value>>, limit: Value, tolerance?: Tolerance): Promise<Value[]> {
    const n = calls.length;
    const most = limit === null || limit === false || limit === 0 ? n : Math.max(Number(limit), 1);
    const results: Value[] = new Array<Value>(n).fill(null);
    const errors = new Map<number, unknown>();
    let next = 0;
    this.fibers -= 1; // this fiber waits for its branches, which run instead
    const worker = async (): Promise<void> => {
      while (next < n) {
        const i = next++;
        this.fibers += 1;
        try {
          results[i] = await calls[i]();
        } catch (err) {
          errors.set(i, err);
        } finally {
          this.fibers -= 1;
          await this.state();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(most, n) }, worker));
    this.fibers += 1;
    if (tolerance !== undefined) return settle(results, errors, tolerance);
    if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
    return results;
  }
}

/** A fan-out with ``return_exceptions`` or a tolerance, as ``portaflow.dsl.fanout.Tolerance`` settles it:
 *  the engine's own errors (a pause) and portaflow's are raised first; beyond ``count`` failures or
 *  ``percentage`` percent (``failed * 100 > P * total``, no rounding) TooManyFailures with the local
 *  engine's message; else the results, each failed item's PyError (its StepFailed) in its place. The
 *  compiler passes ``percentage: 100`` (never exceeded) for ``return_exceptions`` alone. */
export interface Tolerance {
  count: number | null;
  percentage: number | null;
  shown: string; // the tolerance as the message writes it: "1", "25%", "1 or 25%"
  noun: string; // "item" or "branch"
  plural: string;
}

function settle(results: Value[], errors: Map<number, unknown>, t: Tolerance): Value[] {
  const order = [...errors.keys()].sort((a, b) => a - b);
  for (const i of order) {
    const err = errors.get(i);
    if (!(err instanceof py.PyError) || err.type === "WorkflowError") throw err;
  }
  const failed = order.length;
  const total = results.length;
  const over = (t.count !== null && failed > t.count) || (t.percentage !== null && failed * 100 > t.percentage * total);
  if (!over) return results.map((r, i) => (errors.has(i) ? (errors.get(i) as py.PyError) : r));
  const first = errors.get(order[0]) as py.PyError;
  const kind = first instanceof py.StepFailed ? first.errorType : first.type;
  throw py.raise(
    "TooManyFailures",
    `${failed} of ${total} ${t.plural} failed (tolerated: ${t.shown}); first: ${t.noun} ${order[0]}: ${kind}: ${first.message}`,
  );
}

// ------------------------------------------------------------------------------------------ helpers
interface Envelope {
  result?: unknown;
  error?: { type: string; message: string; mro: string[] };
}

const TIMEOUT_MRO = ["TimeoutError", "OSError", "Exception", "BaseException"];
const CONNECTION_MRO = ["ConnectionError", "OSError", "Exception", "BaseException"];

/** The run passed @workflow(timeout=...): not a Python error, so no ``except`` of the workflow catches it
 *  (a ``finally`` still runs, as in Python). */
export class Deadline extends Error {
  constructor() {
    super("the workflow's execution timeout passed");
    this.name = "Deadline";
  }
}

/** Whether ``except <names>`` catches ``err``: by the names of its classes, as Python matches classes;
 *  ``stepFailed``: the clause names StepFailed, which catches every failed step and nothing else. Errors
 *  that are not Python's (the engine's own, such as a pause) are never caught by workflow code. */
export function caught(err: unknown, names: string[], stepFailed: boolean): boolean {
  if (!(err instanceof py.PyError)) return false; // a failure event's MRO: its type, then EventFailed
  if (stepFailed && err instanceof py.StepFailed) return true;
  return names.some((n) => n !== "StepFailed" && err.mro.includes(n));
}

/** The instance's failure: an Error named for the Python type, with Python's message. */
export function runError(failed: { type: string; message: string }): Error {
  const failure = new Error(failed.message);
  failure.name = failed.type;
  return failure;
}

/** An error of the engine's own (a pause, an eviction, a step limit), not the workflow's: it unwinds the
 *  run without running its ``finally`` bodies, as an evicted Python run never runs them (a replay runs
 *  them when it reaches them). */
export function isEngineError(err: unknown): boolean {
  return !(err instanceof py.PyError) && !(err instanceof Deadline);
}

export function failureOf(err: unknown): { type: string; message: string } | undefined {
  if (err instanceof py.StepFailed) return { type: err.errorType, message: err.errorMessage };
  if (err instanceof py.PyError) return { type: err.type, message: err.message };
  return undefined;
}

/** Python's iteration of a value: a list itself (a loop sees what is appended meanwhile, as in Python),
 *  the code points of a str, the keys of a dict; Python's TypeError for anything else. */
export function iterate(value: Value): Value[] {
  return Array.isArray(value) ? value : (py.list(value) as Value[]);
}

/** ``a, b = value``: Python's unpacking, with its errors. */
export function unpack(value: Value, n: number): Value[] {
  if (value === null || typeof value === "number" || typeof value === "boolean") {
    throw py.error("TypeError", `cannot unpack non-iterable ${py.typeName(value)} object`);
  }
  const items = py.list(value) as Value[];
  if (items.length < n) {
    throw py.error("ValueError", `not enough values to unpack (expected ${n}, got ${items.length})`);
  }
  if (items.length > n) throw py.error("ValueError", `too many values to unpack (expected ${n})`);
  return items;
}

/** ``xs += v`` / ``xs *= n`` on a list: the list itself takes the new items (another name sees them). */
export function inPlace(target: Value[], value: Value): Value[] {
  target.splice(0, target.length, ...(value as Value[]));
  return target;
}

/** A method that changed a list or dict in place (``xs.sort()``, ``d.update(...)``; the compiler has made
 * Python's checks): the object takes its new contents, so every name sharing it sees them, as in Python. */
export function replaceContents(target: Value, value: Value): void {
  if (Array.isArray(target)) {
    const items = value as Value[];
    target.length = 0;
    for (const x of items) target.push(x);
    return;
  }
  const m = target as Map<Value, Value>;
  const entries = [...(value as Map<Value, Value>)];
  m.clear();
  for (const [k, x] of entries) m.set(k, x);
}

/** ``xs += v`` on a list extends it by any iterable (``xs += "ab"`` adds two items). */
export function inPlaceExtend(target: Value[], value: Value): Value[] {
  target.push(...(py.list(value) as Value[]));
  return target;
}

/** ``target[index] = value`` with Python's errors. */
export function setItem(target: Value, index: Value, value: Value): void {
  if (target instanceof Map) {
    py.dictSet(target, index, value);
    return;
  }
  if (Array.isArray(target)) {
    if (typeof index !== "number" && typeof index !== "boolean") {
      throw py.error("TypeError", `list indices must be integers or slices, not ${py.typeName(index)}`);
    }
    if (typeof index === "number" && !Number.isInteger(index)) {
      throw py.error("TypeError", "list indices must be integers or slices, not float");
    }
    const i = Number(index) < 0 ? Number(index) + target.length : Number(index);
    if (i < 0 || i >= target.length) throw py.error("IndexError", "list assignment index out of range");
    target[i] = value;
    return;
  }
  throw py.error("TypeError", `'${py.typeName(target)}' object does not support item assignment`);
}

/** A step's arguments as JSON, or the local engine's WorkflowError at the call (a datetime, a timedelta). */
function stepArguments(call: Map<Value, Value>, step: string): unknown {
  try {
    return py.toJson(call);
  } catch (err) {
    if (!(err instanceof py.PyError)) throw err;
    const what = `the arguments of step '${step}' must be a JSON value (dict, list, str, number, bool, None)`;
    throw py.error("WorkflowError", `${what}: ${err.message}`);
  }
}

/** A value as JSON, as the local engine copies what crosses a durable boundary. */
export function jsonCopy(value: Value, what: string): Value {
  try {
    return py.fromJson(py.toJson(value));
  } catch (err) {
    if (err instanceof py.PyError) throw py.error("TypeError", `${what} must be a JSON value (dict, list, str, number, bool, None): ${err.message}`);
    throw err;
  }
}

// An event's payload as sent (portaflow.dsl.events): the payload itself, unless it is an envelope, an object
// with this key: {EVENT_MARK: 1, error: {type, message}} for a failure, {EVENT_MARK: 1, payload} for a
// payload that is itself such an object
const EVENT_MARK = "portaflow_event";

function isEnvelope(data: JsonValue): data is { [key: string]: JsonValue } {
  return typeof data === "object" && data !== null && !Array.isArray(data) && EVENT_MARK in data;
}

const EVENT_TYPE = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}$/;

/** The Cloudflare event type of the event ``name``: the name itself when it is one (letters, digits, '-'
 *  and '_', at most 100 characters; a literal name must be, PFC061), else ``pfev_`` and the SHA-256 of its
 *  UTF-8 in hex, so an event name computed at run time (``f"approve:{doc_id}"``) waits as it does locally.
 *  The worker's event endpoints send to the same type. */
export async function eventType(name: string): Promise<string> {
  if (EVENT_TYPE.test(name)) return name;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(name)));
  return `pfev_${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** What ``sendEvent`` carries for a payload: the payload, wrapped only if it looks like an envelope. */
export function eventPayload(payload: JsonValue): JsonValue {
  return isEnvelope(payload) ? { [EVENT_MARK]: 1, payload } : payload;
}

/** What ``sendEvent`` carries for a failure (``portaflow signal --error TYPE:MESSAGE``): ``type`` must be a
 *  Python class name, not one of portaflow's own exceptions (as the local engine refuses it). */
export function eventFailure(type: unknown, message: unknown): JsonValue {
  if (typeof type !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(type) || RESERVED_ERROR_TYPES.includes(type)) {
    throw new Error(`an event's error type must be a Python class name such as Rejected, not ${JSON.stringify(type)}`);
  }
  return { [EVENT_MARK]: 1, error: { type, message: typeof message === "string" ? message : "" } };
}

const RESERVED_ERROR_TYPES = [
  "EventFailed",
  "EventTimeout",
  "StepFailed",
  "WorkflowError",
  "WorkflowFailed",
  "WorkflowTimeout",
  "PortaflowError",
  "NonDeterminismError",
  "RunNotFound",
];

/** ``ctx.wait_for_event(..., raise_on_timeout=True)``'s timeout, with the local engine's message (an event
 *  name is a Cloudflare event type, PFC061: its repr is itself in quotes). */
function eventTimeout(event: string, seconds: number): py.PyError {
  return py.raise("EventTimeout", `event '${event}' did not arrive within ${formatDuration(seconds)}`);
}

/** The workflow's view of an event's data: its payload, or EventFailed for a failure. */
function eventValue(event: string, data: JsonValue): Value {
  if (!isEnvelope(data)) return py.fromJson(data);
  const error = data.error;
  if (typeof error === "object" && error !== null && !Array.isArray(error)) {
    throw py.eventFailed(event, String(error.type), String(error.message));
  }
  return py.fromJson(data.payload ?? null);
}

function isEventTimeout(err: unknown): boolean {
  // the engine's WorkflowTimeoutError ("Execution timed out after <ms>ms"); a stored one comes back as a
  // plain Error with that message
  return err instanceof Error && /timed out/i.test(err.message) && !(err instanceof py.PyError);
}

function isStepTimeout(err: unknown): boolean {
  return err instanceof Error && /timed out|timeout/i.test(`${err.name} ${err.message}`);
}

/** A step name: its unique part first, then a label for people, cut to Cloudflare's 256 characters
 *  (control characters, which Cloudflare refuses, become spaces). */
function stepName(unique: string, label: string): string {
  const text = label ? `${unique} ${label}` : unique;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, 256);
}

/** Seconds as a Cloudflare duration, in whole milliseconds (the engine's unit): "0.25 seconds". The
 *  duration labels have no milliseconds, and a bare number's unit changed across Cloudflare's docs. */
/** The random factor of a retry delay, in [0, 1): the first 52 bits of sha256("KEY:ATTEMPT") over 2**52,
 *  as portaflow.dsl.retry.jitter_unit computes it (docs/semantics.md, "Retries"). */
export async function jitterUnit(key: string, attempt: number): Promise<number> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${key}:${attempt}`)),
  );
  const high = ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0; // 32 bits
  const low = (digest[4] << 12) | (digest[5] << 4) | (digest[6] >> 4); // the next 20 bits
  return (high * 2 ** 20 + low) / 2 ** 52; // exact: below 2**53
}

/** ``delay`` with ``fraction`` of it random, in whole milliseconds: portaflow.dsl.retry.jittered. */
export async function jittered(
  delay: number,
  fraction: number | null,
  key: string,
  attempt: number,
): Promise<number> {
  if (fraction === null) return delay;
  return Math.floor(delay * (1 - fraction * (1 - (await jitterUnit(key, attempt)))) * 1000) / 1000;
}

export function sleepDuration(seconds: number): WorkflowSleepDuration {
  const ms = Math.max(Math.round(seconds * 1000), 0);
  return `${ms / 1000} seconds`;
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** portaflow's duration grammar ("250ms", "1h30m", seconds), with the local engine's ValueErrors. */
export function parseDuration(value: Value, what: string): number {
  let seconds: number;
  if (typeof value === "boolean") {
    throw py.error(
      "ValueError",
      `${what} must be a duration such as '30s', '5m', '2h', '3d' or seconds, not ${py.repr(value)}`,
    );
  } else if (typeof value === "number") {
    seconds = value;
  } else if (value instanceof py.PyTimedelta) {
    seconds = py.timedelta_total_seconds(value) as number; // ctx.sleep(due - ctx.now()), as locally
  } else if (typeof value === "string") {
    const text = value.trim().replace(/ /g, "");
    const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
    let pos = 0;
    seconds = 0;
    for (;;) {
      part.lastIndex = pos;
      const m = part.exec(text);
      if (m === null) break;
      seconds += Number(m[1]) * UNITS[m[2]];
      pos = part.lastIndex;
    }
    if (pos !== text.length || text.length === 0) {
      throw py.error(
        "ValueError",
        `${what}: ${py.repr(value)} is not a duration; write e.g. '250ms', '30s', '5m', '2h', '3d' or '1h30m'`,
      );
    }
  } else {
    throw py.error(
      "ValueError",
      `${what} must be a duration such as '30s' or a number of seconds, not ${py.repr(value)}`,
    );
  }
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw py.error("ValueError", `${what} must be a finite, non-negative duration, not ${py.repr(value)}`);
  }
  return seconds;
}

/** The local engine's format_duration: '250ms', '2s', '1m30s', '3d'. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const out: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (rest >= size) {
      const count = Math.floor(rest / size);
      out.push(`${count}${unit}`);
      rest -= count * size;
    }
  }
  if (rest || out.length === 0) {
    // Python's f"{rest:g}" for what is left under a minute
    out.push(`${Number.isInteger(rest) ? rest : Number(rest.toPrecision(6))}s`);
  }
  return out.join("");
}

/** HMAC-SHA256 of ``message`` with ``secret``, lowercase hex: the step host's request signature. */
async function sign(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}
