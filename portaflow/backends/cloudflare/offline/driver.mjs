// The Node side of portaflow's offline Cloudflare executor: one process per test session, holding one
// Miniflare (workerd) that runs each loaded workflow. Requests and answers are JSON lines on stdin/stdout:
//   {"rid": 1, "op": "load", ...} -> {"rid": 1, "ok": true, "result": ...} | {"rid": 1, "ok": false, "error": "..."}
// Ops: load (bundle src/index.ts with esbuild, point Miniflare at it), create, status, post (a
// request to the worker's HTTP API: events are sent so), disable (a
// sleep, through the engine's own instance modifier), pause (event waits forced to time out, and a pause),
// resume (the engine re-enters them), dispose. Requests run concurrently; answers carry their request's rid.
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

let mf = null;
let binding = null;
let bindingName = null;

function send(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

async function load({ entry, outfile, className, workflowName, bindings, compatibilityDate, routedEvents }) {
  await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    outfile,
    external: ["cloudflare:*", "node:*"],
    logLevel: "silent",
  });
  // a workflow name per load: each load starts with empty workflow storage (instance ids repeat)
  const options = {
    modules: true,
    scriptPath: outfile,
    modulesRoot: dirname(outfile), // module names relative to the bundle (workerd refuses "..")
    compatibilityDate,
    compatibilityFlags: ["nodejs_compat"],
    bindings,
    workflows: { WORKFLOW: { name: workflowName, className } },
    // which open wait takes an event (runtime/events.ts), as wrangler.jsonc binds it
    ...(routedEvents ? { durableObjects: { EVENTS: { className: "PortaflowEvents", useSQLite: true } } } : {}),
  };
  if (mf === null) {
    mf = new Miniflare(options);
  } else {
    await mf.setOptions(options);
  }
  await mf.ready;
  binding = (await mf.getBindings()).WORKFLOW;
  bindingName = workflowName;
  return { workflow: bindingName };
}

async function instance(id) {
  return binding.get(id);
}

async function status({ id }) {
  const st = await (await instance(id)).status();
  delete st.__LOCAL_DEV_STEP_OUTPUTS;
  return st;
}

async function waitStatus(id, wanted, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const st = await status({ id });
    if (wanted.includes(st.status)) return st.status;
    if (Date.now() > end) throw new Error(`instance ${id} did not reach ${wanted.join("/")}: ${st.status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// a sleep's modifier, set before the sleep is entered (the runtime waits for the executor's word first)
async function disable({ id, sleeps }) {
  const modifier = await binding.unsafeGetInstanceModifier(id);
  await modifier.disableSleeps(sleeps.map((name) => ({ name, index: 1 })));
  return {};
}

async function pause({ id, timeouts }) {
  const modifier = await binding.unsafeGetInstanceModifier(id);
  for (const name of timeouts) await modifier.forceEventTimeout({ name, index: 1 });
  // the engine reads this when a wait is entered: pause (ends the waits in flight), then, once run() has
  // unwound, resume (run() replays and re-enters them)
  await (await instance(id)).pause();
  return { status: await waitStatus(id, ["paused", "complete", "errored", "terminated"], 10000) };
}

// An event of a type no workflow can wait for (portaflow refuses ':' in event names, PFC061): an engine that
// took a resume while the paused run() was still unwinding stays queued, and an event starts it
const KICK = "portaflow:resume";

async function resume({ id }) {
  const inst = await instance(id);
  await inst.resume();
  for (let i = 1; i <= 100; i++) {
    await new Promise((r) => setTimeout(r, 5));
    if ((await status({ id })).status !== "queued") return { kicks: Math.floor(i / 4) };
    if (i % 4 === 0) await inst.sendEvent({ type: KICK, payload: null });
  }
  throw new Error(`instance ${id} stays queued after resume`);
}

const OPS = {
  load,
  status,
  disable,
  pause,
  resume,
  create: async ({ id, params }) => ({ id: (await binding.create({ id, params })).id }),
  // a request to the worker's own HTTP API (its fetch handler), as a deployed system sends events
  post: async ({ path, token, body }) => {
    const resp = await mf.dispatchFetch(`http://worker${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: resp.status, body: await resp.text() };
  },
  dispose: async () => {
    if (mf !== null) await mf.dispose();
    mf = null;
    return {};
  },
};

const lines = createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  let request;
  try {
    request = JSON.parse(line);
    const op = OPS[request.op];
    if (op === undefined) throw new Error(`unknown op ${request.op}`);
    send({ rid: request.rid, ok: true, result: await op(request) });
  } catch (err) {
    send({ rid: request?.rid ?? null, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
});
lines.on("close", async () => {
  if (mf !== null) await mf.dispose();
  process.exit(0);
});
