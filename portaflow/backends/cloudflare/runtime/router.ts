// The Durable Object of runtime/events.ts: one per run, holding its open waits and buffered events by
// event name. A program whose waits for one name may be open at once binds it as EVENTS (wrangler.jsonc).

import { DurableObject } from "cloudflare:workers";

import type { JsonValue } from "./durable";
import { type Entry, type EventsEnv, positionOrder } from "./events";

/** The Durable Object of one run's events: its open waits and buffered events, by event name. */
export class PortaflowEvents extends DurableObject<EventsEnv> {
  async fetch(request: Request): Promise<Response> {
    const op = new URL(request.url).pathname.slice(1);
    const body = (await request.json()) as Record<string, unknown>;
    const name = String(body.name);
    const key = `event:${name}`;
    const entry: Entry = (await this.ctx.storage.get<Entry>(key)) ?? { buffer: [], waiters: [] };
    if (op === "send") {
      const payload = (body.payload ?? null) as JsonValue;
      // a wait past its deadline takes no event (it times out, as locally), though it has not unregistered
      const now = Date.now();
      const expired = entry.waiters.filter((w) => w.deadline !== null && w.deadline < now);
      entry.waiters = entry.waiters.filter((w) => !expired.includes(w));
      entry.expired = [...(entry.expired ?? []), ...expired.map((w) => w.type)];
      if (entry.waiters.length === 0) {
        entry.buffer.push(payload);
        await this.ctx.storage.put(key, entry);
        return Response.json({ buffered: entry.buffer.length });
      }
      const lowest = [...entry.waiters].sort((a, b) => positionOrder(a.position, b.position))[0];
      entry.waiters = entry.waiters.filter((w) => w !== lowest);
      await this.ctx.storage.put(key, entry); // decided before it is sent
      const workflow = this.env.WORKFLOW;
      if (workflow === undefined) throw new Error("this worker has no WORKFLOW binding");
      await (await workflow.get(String(body.run))).sendEvent({ type: lowest.type, payload });
      return Response.json({ delivered: lowest.position });
    }
    // open and close come from a step.do, which may run again after a failure: each answers once
    const opKey = `op:${String(body.op)}`;
    const answered = await this.ctx.storage.get<Record<string, JsonValue>>(opKey);
    if (answered !== undefined) return Response.json(answered);
    let answer: Record<string, JsonValue>;
    if (op === "open") {
      if (entry.buffer.length > 0) {
        answer = { payload: entry.buffer.shift() ?? null };
      } else {
        const position = String(body.position);
        // one wait per scope at a time: a wait of this scope that ended unregistered already
        const deadline = typeof body.deadline === "number" ? body.deadline : null;
        entry.waiters = [...entry.waiters.filter((w) => w.position !== position), { position, type: String(body.type), deadline }];
        answer = { waiting: true };
      }
    } else if (op === "close") {
      const type = String(body.type);
      const open = entry.waiters.some((w) => w.type === type) || (entry.expired ?? []).includes(type);
      entry.waiters = entry.waiters.filter((w) => w.type !== type);
      entry.expired = (entry.expired ?? []).filter((t) => t !== type);
      answer = open ? { closed: true } : { routed: true }; // routed: its event is on its way (in time)
    } else {
      return Response.json({ error: `unknown router operation ${op}` }, { status: 404 });
    }
    await this.ctx.storage.put({ [key]: entry, [opKey]: answer });
    return Response.json(answer);
  }
}
