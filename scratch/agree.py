"""python agree.py FILE  (FILE defines SCENARIO): run on every column, print outcomes side by side."""
import sys, tempfile, json
from pathlib import Path
sys.path.insert(0, "/work/wt-idioms")
from tests.conformance.columns import load_module, run_local, run_target, targets
path = Path(sys.argv[1]).resolve()
scen = load_module(path).SCENARIO
with tempfile.TemporaryDirectory() as d:
    loc = run_local(path, scen, Path(d))
print("local", loc.status, json.dumps(loc.output)[:300], loc.error)
for t in targets():
    if t == "local": continue
    try:
        o = run_target(t, path, scen)
    except Exception as e:
        print(t, "EXC", type(e).__name__, str(e)[:400]); continue
    same = (o.status, o.output, o.error) == (loc.status, loc.output, loc.error)
    print(t, "SAME" if same else "DIFF", o.status, json.dumps(o.output)[:300], o.error)
    if [ (c.step,c.key,c.attempt) for c in o.calls] != [(c.step,c.key,c.attempt) for c in loc.calls]: print("  calls differ")
