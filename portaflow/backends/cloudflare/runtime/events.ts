// Which open wait takes an event, by portaflow's rule (docs/semantics.md, "map and parallel"): of the waits
// for one name open at once, the one at the lowest position; an event no wait is open for is buffered, and
// the next wait to open takes the oldest. Cloudflare's engine would pick a waiter of its own choosing when
// two waits share an event type, so a workflow with such waits (a wait in a ctx.map item, a name computed
// in a fan-out) gives every wait an engine type of its own and routes each event through this Durable
// Object, one per run: the wait registers (or takes a buffered event) in a step.do, the worker's event
// endpoint sends to the lowest registered wait's own type, and a wait that timed out unregisters (or, if
// an event was already routed to it, takes that event: it came in time). Every decision is the object's,
// made one request at a time and recorded before its event is sent, and every call of the workflow's is
// a step.do, so a replay reads back what was decided. The object itself is router.ts's (this file has no
// import of cloudflare:workers, so the runtime's tests bundle it for Node).

import type { JsonValue } from "./durable";

/** The bindings the router needs: the Durable Object namespace, and the workflow it sends events to. */
export interface EventsEnv {
  EVENTS?: DurableObjectNamespace;
  WORKFLOW?: Workflow;
  PORTAFLOW_HOOKS?: string;
}

export interface Waiter {
  position: string; // the wait's scope ("0.2."): the lower takes an event first
  type: string; // the engine type it waits on, its own
  deadline: number | null; // epoch ms after which an event is no longer this wait's (null: none)
}

export interface Entry {
  buffer: JsonValue[];
  waiters: Waiter[];
  expired?: string[]; // the types of waits past their deadline that have not unregistered yet
}

/** A wait scope's sort key ("0.2." before "0.10."): component by component, numbers as numbers. */
export function positionOrder(a: string, b: string): number {
  const pa = a.split(".").filter((c) => /^\d+$/.test(c)).map(Number);
  const pb = b.split(".").filter((c) => /^\d+$/.test(c)).map(Number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] - pb[i];
  }
  return pa.length - pb.length;
}

/** The run's router (offline, the executor's hooks address keeps runs of different loads apart). */
export function eventsRouter(env: EventsEnv, runId: string): DurableObjectStub {
  if (env.EVENTS === undefined) throw new Error("this worker has no EVENTS binding (wrangler.jsonc)");
  return env.EVENTS.get(env.EVENTS.idFromName(`${env.PORTAFLOW_HOOKS ?? ""}|${runId}`));
}

/** A request to the run's router: ``open``, ``close`` (from the workflow) or ``send`` (an event). */
export async function routeEvent(env: EventsEnv, runId: string, op: string, body: Record<string, unknown>): Promise<Record<string, JsonValue>> {
  const res = await eventsRouter(env, runId).fetch(`https://portaflow-events/${op}`, {
    method: "POST",
    body: JSON.stringify({ run: runId, ...body }),
  });
  if (!res.ok) throw new Error(`the event router refused ${op}: ${await res.text()}`);
  return (await res.json()) as Record<string, JsonValue>;
}
