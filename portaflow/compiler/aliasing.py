"""Changes made through a second reference, for targets that copy values (PFC041).

Python names refer to objects: after ``e = d``, ``for t in tasks`` or ``d = {"items": xs}``, a change made in
place through one name (``x[k] = v``, ``x.append(v)``, ``x.extend(v)``, ``x += v`` on a list) is seen through
the others. Step Functions copies a value on every assignment, so the same code would lose the change there.
This pass finds every in-place change of an object that may also be reachable another way and refuses it,
with the copy to write instead; every program it accepts behaves the same under both semantics.

It is a forward may-analysis over the IR. The state maps each name whose object may be shared to why.
Results of steps, child workflows, maps, parallel branches and events are fresh: every engine decodes them
from JSON. Arguments of steps and child workflows are copies for the same reason (docs/semantics.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from . import catalog, ir
from .diagnostics import Diagnostic


@dataclass(frozen=True)
class Share:
    """Why a name's object may be reachable another way, and what to write instead."""

    why: str
    hint: str = ""
    effect: str = ""  # what goes wrong, when not "the change would not be seen through the other name"


State = dict[str, Share] | None  # None: unreachable


def _join(*states: State) -> State:
    out: dict[str, Share] | None = None
    for s in states:
        if s is None:
            continue
        if out is None:
            out = dict(s)
            continue
        for k, v in s.items():
            out.setdefault(k, v)
    return out


def _shares(e: ir.Call) -> str:
    """What the call's result may share with its arguments (catalog.Shares); "args" for a call the
    catalogue does not know: anything of them."""
    row = catalog.lookup(e.func)
    return row.shares if row is not None else "args"


def _names_bound(t: ir.Target | None) -> set[str]:
    return set(ir.target_names(t))


def _lazy(e: ir.Expr) -> bool:
    row = catalog.lookup(e.func) if isinstance(e, ir.Call) else None
    return row is not None and row.lazy


def _free(e: ir.Expr | None) -> set[str]:
    """Every variable read by ``e`` (comprehension variables excluded)."""
    if e is None:
        return set()
    if isinstance(e, ir.Name):
        return {e.id}
    if isinstance(e, (ir.ListComp, ir.DictComp)):
        inner = _free(e.elt) if isinstance(e, ir.ListComp) else _free(e.key) | _free(e.value)
        out: set[str] = set()
        bound: set[str] = set()
        for g in e.generators:
            out |= _free(g.iter) - bound
            bound |= set(ir.target_names(g.target))
            for c in g.ifs:
                out |= _free(c) - bound
        return out | (inner - bound)
    if isinstance(e, ir.Lambda):
        return _free(e.body) - set(e.params)
    out = set()
    for child in ir.expr_children(e):
        out |= _free(child)
    return out


def escapes(e: ir.Expr, bound: frozenset[str] = frozenset()) -> set[str]:
    """Names whose object itself (not merely one of its elements) may be reachable from ``e``'s value."""
    if isinstance(e, ir.Name):
        return set() if e.id in bound else {e.id}
    if isinstance(e, ir.ListExpr):
        return set().union(*(escapes(x, bound) for x in e.items))
    if isinstance(e, ir.DictExpr):
        return set().union(*(escapes(x, bound) for x in e.values))
    if isinstance(e, ir.IfExp):
        return escapes(e.body, bound) | escapes(e.orelse, bound)
    if isinstance(e, ir.BoolOp):
        return set().union(*(escapes(x, bound) for x in e.values))
    if isinstance(e, (ir.ListComp, ir.DictComp)):
        inner = bound | frozenset(n for g in e.generators for n in ir.target_names(g.target))
        return escapes(e.elt if isinstance(e, ir.ListComp) else e.value, inner)
    if isinstance(e, ir.BinOp):
        return _element_escapes(e.left, bound) | _element_escapes(e.right, bound)
    if isinstance(e, (ir.Subscript, ir.Slice)):
        return _element_escapes(e.value, bound)
    if isinstance(e, ir.Call):
        shares = _shares(e)
        kw = set().union(*(escapes(v, bound) for _, v in e.kwargs if v is not None)) if e.kwargs else set()
        if shares == "none":
            return set()
        if shares == "elements" or (shares == "pick" and len(e.args) == 1):
            return set().union(*(_element_escapes(a, bound) for a in e.args)) | kw
        if shares == "item":
            return _element_escapes(e.args[0], bound) | set().union(*(escapes(a, bound) for a in e.args[2:]))
        return set().union(*(escapes(a, bound) for a in e.args)) | kw
    return set()


def _element_escapes(e: ir.Expr, bound: frozenset[str]) -> set[str]:
    """Names whose object may be an element of ``e``'s value (a name's own elements are its parts)."""
    return set() if isinstance(e, ir.Name) else escapes(e, bound)


def fresh(e: ir.Expr) -> bool:
    """``e``'s value is a new object (or immutable): no other name can reach it."""
    if isinstance(e, (ir.Name, ir.Subscript)):
        return False
    if isinstance(e, ir.IfExp):
        return fresh(e.body) and fresh(e.orelse)
    if isinstance(e, ir.BoolOp):
        return all(fresh(v) for v in e.values)
    if isinstance(e, ir.Call):
        return _shares(e) in ("none", "elements")
    return True


def _deep_fresh(e: ir.Expr) -> bool:
    """``e``'s value and everything inside it are new or immutable (iterating it binds no shared part)."""
    if isinstance(e, ir.Const):
        return True
    if isinstance(e, ir.ListExpr):
        return all(_deep_fresh(x) for x in e.items)
    if isinstance(e, ir.Call):
        row = catalog.lookup(e.func)  # a list of numbers or strings made anew: range, str.split, dict.keys
        return (row is not None and row.shares == "none" and row.result == "list") or (
            e.func == "enumerate" and len(e.args) == 1 and _deep_fresh(e.args[0])
        )
    return e.ty in ("int", "float", "str", "bool", "none")


def _current_keys(st: ir.For) -> dict[str, str]:
    """Sequence name -> the loop variable holding the current index or key: ``seq[i] = v`` in
    ``for i, x in enumerate(seq)`` (or ``d[k] = v`` in ``for k in d`` / ``d.items()``) replaces the element
    the loop has already passed, which Python's loop and a loop over a copy agree on."""
    t, it = st.target, st.iter
    first = t.elts[0] if isinstance(t, ir.TupleTarget) and t.elts else t
    if not isinstance(first, ir.NameTarget):
        return {}
    if isinstance(it, ir.Name) and it.ty == "dict" and isinstance(t, ir.NameTarget):
        return {it.id: first.id}
    if isinstance(it, ir.Call) and len(it.args) >= 1 and isinstance(it.args[0], ir.Name):
        row = catalog.lookup(it.func)
        m = row.name if row is not None else it.func
        # enumerate(seq, 1) counts from 1: seq[i] = v there replaces the element the loop reaches next
        from_zero = len(it.args) == 1 or (isinstance(it.args[1], ir.Const) and it.args[1].value == 0)
        if (m == "enumerate" and from_zero and not it.kwargs and isinstance(t, ir.TupleTarget)) or m in (
            "dict.items",
            "dict.keys",
        ):
            return {it.args[0].id: first.id}
    return {}


def _same(e: ir.Expr) -> set[str]:
    """Names whose object ``e``'s value may be (not a copy, not a part)."""
    if isinstance(e, ir.Name):
        return {e.id}
    if isinstance(e, ir.IfExp):
        return _same(e.body) | _same(e.orelse)
    if isinstance(e, ir.BoolOp):
        return set().union(*(_same(v) for v in e.values))
    if isinstance(e, ir.Call):
        shares = _shares(e)
        if shares == "item":
            return set().union(*(_same(a) for a in e.args[2:]))
        if shares == "pick" and len(e.args) > 1:
            return set().union(*(_same(a) for a in e.args))
    return set()


def _holders(e: ir.Expr) -> set[str]:
    """Names whose object ``e``'s value may be, or be a part of (an index only picks the part)."""
    if isinstance(e, ir.Name):
        return {e.id}
    if isinstance(e, (ir.Subscript, ir.Slice)):
        return _holders(e.value)
    if isinstance(e, ir.IfExp):
        return _holders(e.body) | _holders(e.orelse)
    if isinstance(e, ir.BoolOp):
        return set().union(*(_holders(v) for v in e.values))
    if isinstance(e, ir.Call):
        shares = _shares(e)
        if shares == "item":
            return _holders(e.args[0]) | set().union(*(_holders(a) for a in e.args[2:]))
        if shares == "pick":
            return set().union(*(_holders(a) for a in e.args))
    return _free(e)


def _lazy_roots(e: ir.Expr) -> set[str]:
    """Names whose object a ``for`` over ``e`` walks while it runs."""
    if isinstance(e, ir.Name):
        return {e.id}
    if isinstance(e, ir.Call) and _lazy(e):
        return set().union(*(_lazy_roots(a) for a in e.args))
    return set()


def parts(name: str) -> str:
    """The state's key for "a part of ``name``'s object (an item, at any depth) may be reachable another
    way" (no variable's name ends with ``[]``)."""
    return name + "[]"


# temporaries of frontend/mutations.py: a part of a local being changed (stored back after), an item being
# popped (removed from its list or dict as it is taken) and single-use values (moved into their one use)
_PART, _POPPED, _MOVED = (
    ir.TEMPORARY + "part",
    ir.TEMPORARY + "popped",
    (ir.TEMPORARY + "a", ir.TEMPORARY + "arg"),
)


def _kind(e: ir.Expr) -> str:
    return "number" if e.ty in ("int", "float", "bool") else ""


def _part_sources(e: ir.Expr) -> set[str]:
    """Names whose object, or a part of it, may be a part of ``e``'s value."""
    if isinstance(e, ir.Name):
        return {e.id}
    if (
        isinstance(e, (ir.Const, ir.Lambda))
        or e.ty in ("int", "float", "str", "bool", "none")
        or _deep_fresh(e)
    ):
        return set()
    if isinstance(e, ir.ListExpr):
        return set().union(*(_part_sources(x) for x in e.items))
    if isinstance(e, ir.DictExpr):
        return set().union(*(_part_sources(x) for x in e.values))
    if isinstance(e, ir.BinOp):
        if e.op != "*" and "number" in (_kind(e.left), _kind(e.right)):
            return set()  # a number, or Python's TypeError: `+ 1` makes no list
        return _part_sources(e.left) | _part_sources(e.right)
    if isinstance(e, (ir.Subscript, ir.Slice)):
        return _part_sources(e.value)
    if isinstance(e, ir.IfExp):
        return _part_sources(e.body) | _part_sources(e.orelse)
    if isinstance(e, ir.BoolOp):
        return set().union(*(_part_sources(x) for x in e.values))
    if isinstance(e, ir.Call) and _shares(e) == "none":
        return set()
    if isinstance(e, ir.Call):
        return set().union(*(_part_sources(a) for a in e.args), *(_part_sources(v) for _, v in e.kwargs))
    return _free(e)


def _names(ns: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(ns))


@dataclass
class _Loop:
    breaks: list[State] = field(default_factory=list)
    continues: list[State] = field(default_factory=list)


class _Checker:
    def __init__(self, wf: ir.WorkflowDef, target: str) -> None:
        self.wf = wf
        self.target = target
        self.found: dict[tuple[int, int, str], Diagnostic] = {}
        self.loops: list[_Loop] = []
        self.collectors: list[list[State]] = []  # states an exception may leave a try from
        # states a return leaves a try with a finally from: only the finally clauses run after it (no
        # handler, nothing after the try), and the returned value is taken before them
        self.returns: list[list[State]] = []
        self.iterating: dict[str, tuple[int, str | None]] = {}  # name -> (line of the loop walking it, key)
        self.branch_bound: set[str] | None = None  # names bound inside the parallel branch being checked
        self.part_of: dict[str, str] = {}  # a part temporary -> the local whose item it holds

    def run(self) -> list[Diagnostic]:
        start: dict[str, Share] = {}
        for p in self.wf.params:
            if (
                p.default is not None
                and p.default.ty in ("list", "dict", "any")
                and not isinstance(getattr(p.default, "value", None), (str, int, float, bool, type(None)))
            ):
                start[p.name] = Share(
                    f"the default of parameter `{p.name}` is one object that every run in a process shares",
                    hint=f"default to None and create the value in the body (`if {p.name} is None: ...`)",
                    effect="the next run (or a replay) in the same process would see the change, a run on "
                    f"{self.target} would not",
                )
        self.block(self.wf.body, start)
        return list(self.found.values())

    # ------------------------------------------------------------------------------------------ reporting
    def report(self, loc: ir.Loc, name: str, message: str, hint: str) -> None:
        if ir.is_temporary(name):  # an inlined helper's local: the name its def gives it
            message, hint = (t.replace(name, ir.shown_name(name)) for t in (message, hint))
        self.found[(loc.line, loc.col, name)] = Diagnostic(
            "PFC041", message, self.wf.source, loc.line, loc.col, hint
        )

    def mutate(
        self,
        name: str,
        s: dict[str, Share],
        loc: ir.Loc,
        value: ir.Expr,
        index: ir.Expr | None = None,
        op: str | None = None,
    ) -> None:
        """``name``'s object is changed in place at ``loc`` to hold ``value`` (at ``index`` for
        ``name[index] = value``; by ``name op= ...`` of a type known only at run time when ``op`` is
        given): refuse it if that change could be lost."""
        t = self.target
        ts = t + ("'" if t.endswith("s") else "'s")
        walking = self.iterating.get(name)
        if name in escapes(value):
            self.report(
                loc,
                name,
                f"`{name}` is put inside itself: Python makes a value that contains itself, which no JSON "
                f"value (and no {t} value) can be",
                f"put a copy inside (`list({name})` or `dict({name})`)",
            )
        elif walking and not (isinstance(index, ir.Name) and index.id == walking[1]):
            self.report(
                loc,
                name,
                f"`{name}` is changed while the for loop at line {walking[0]} walks it: "
                f"Python's loop sees the change, {ts} loop walks a copy",
                f"loop over a copy (`for x in list({name})`) or use a while loop with an index",
            )
        elif self.branch_bound is not None and name not in self.branch_bound:
            self.report(
                loc,
                name,
                f"a parallel branch changes `{name}`, a variable of the workflow: on {t} each branch works "
                "on a copy, so the change would be lost",
                "return the new value from the branch and assign it from ctx.parallel's result",
            )
        elif name in s and op is not None:
            self.report(
                loc,
                name,
                f"`{name} {op}= ...` changes `{name}` in place if it is a list (its type is known only at "
                f"run time), but {s[name].why}: {t} copies values on assignment, so the change would not "
                "show there",
                f"write `{name} = {name} {op} ...`, which makes a new value",
            )
        elif name in s:
            self.report(
                loc,
                name,
                f"`{name}` is changed in place, but {s[name].why}: "
                + (s[name].effect or f"{t} copies values on assignment, so the change would not show there"),
                s[name].hint
                or f"copy it first (`{name} = dict({name})` or `list({name})`), then change the copy",
            )

    # ------------------------------------------------------------------------------------------ statements
    def block(self, body: tuple[ir.Stmt, ...], s: State) -> State:
        for st in body:
            if s is None:
                return None  # unreachable: Python never runs it
            for acc in self.collectors:
                acc.append(s)
            s = self.stmt(st, s)
        return s

    def stmt(self, st: ir.Stmt, s: dict[str, Share]) -> State:
        if isinstance(st, ir.Assign):
            return self.assign(st, s)
        if isinstance(st, ir.SetItem):
            if isinstance(st.value, ir.Name) and self.part_of.get(st.value.id) == st.target:
                return s  # the changed item stored back where it was taken from
            if st.target.startswith(_PART):
                self.mutate_part(st.target, s, st.loc, st.value)
            else:
                self.mutate(st.target, s, st.loc, st.value, st.index)
                if st.in_place and (st.target in s or parts(st.target) in s):
                    self._element_in_place(st)
            after = self.parts_after(s, st.target, st.value, st.loc, replace=False)
            return self.share(after, escapes(st.value), st.target, st.loc)
        if isinstance(
            st,
            (
                ir.StepCall,
                ir.ChildWorkflowCall,
                ir.StartWorkflow,
                ir.AwaitWorkflow,
                ir.MapCall,
                ir.WaitForEvent,
                ir.Primitive,
            ),
        ):
            return self.rebind_fresh(s, _names_bound(st.target))
        if isinstance(st, ir.ParallelCall):
            for b in st.branches:
                self.branch(b, s)
            return self.rebind_fresh(s, _names_bound(st.target))
        if isinstance(st, ir.If):
            return _join(self.block(st.body, s), self.block(st.orelse, s))
        if isinstance(st, (ir.While, ir.For)):
            return self.loop(st, s)
        if isinstance(st, ir.Try):
            return self.try_(st, s)
        if isinstance(st, ir.Break):
            self.loops[-1].breaks.append(s)
            return None
        if isinstance(st, ir.Continue):
            self.loops[-1].continues.append(s)
            return None
        if isinstance(st, ir.Return):
            returned = self.share(s, escapes(st.value), None, st.loc)
            for acc in self.returns:  # a finally clause runs after the return value is taken
                acc.append(returned)
            return None
        return None  # Raise

    def assign(self, st: ir.Assign, s: dict[str, Share]) -> State:
        if st.in_place and isinstance(st.target, ir.NameTarget):
            v = st.value
            name = st.target.id
            unknown = (
                isinstance(v, ir.BinOp) and v.left.ty == "any" and not st.method
            )  # x += v, typed at run time
            if name.startswith(_PART):
                self.mutate_part(name, s, st.loc, v)
            else:
                self.mutate(name, s, st.loc, v, op=v.op if unknown and isinstance(v, ir.BinOp) else None)
            after = self.parts_after(s, name, v, st.loc, replace=False)
            return self.share(after, escapes(st.value) - {name}, name, st.loc)
        if isinstance(st.target, ir.NameTarget):
            tid, tv = st.target.id, st.value
            if tid.startswith(_PART) and isinstance(tv, ir.Subscript) and isinstance(tv.value, ir.Name):
                self.part_of[tid] = tv.value.id
                return self.rebind_fresh(s, {tid})
            if tid.startswith(_POPPED) and isinstance(tv, ir.Subscript):
                return self.rebind_fresh(s, {tid})  # the item leaves its list or dict as it is taken
            if isinstance(tv, ir.Name) and (tv.id.startswith(_POPPED) or tv.id.startswith(_MOVED)):
                out = self.rebind_fresh(s, {tid})  # the temporary's one use: what it shared, the target does
                for key in (tv.id, parts(tv.id)):
                    if key in s:
                        out[key.replace(tv.id, tid, 1)] = s[key]
                return out
        tt, lv = st.target, st.value
        if isinstance(tt, ir.TupleTarget) and isinstance(lv, ir.ListExpr) and len(tt.elts) == len(lv.items):
            out = s  # a, b = x, [] binds pairwise
            for t, v in zip(tt.elts, lv.items, strict=True):
                out = self.bind(out, t, v, st.loc)
            return out
        return self.bind(s, st.target, st.value, st.loc)

    def bind(self, s: dict[str, Share], t: ir.Target, v: ir.Expr, loc: ir.Loc) -> dict[str, Share]:
        """``t = v``: the objects ``v`` holds become reachable from ``t``; ``t`` is fresh or shares them; the
        parts of both may be reachable from the other."""
        names = _names_bound(t)
        with_parts = self._parts_bound(s, names, v, loc)
        out = self._bind_objects(with_parts, t, v, loc)
        for n in names:
            if parts(n) in with_parts:
                out[parts(n)] = with_parts[parts(n)]
        return out

    def _bind_objects(self, s: dict[str, Share], t: ir.Target, v: ir.Expr, loc: ir.Loc) -> dict[str, Share]:
        names = _names_bound(t)
        line = loc.line
        if isinstance(t, ir.NameTarget) and isinstance(v, ir.Name):
            out = dict(s)
            if v.id != t.id:
                why = f"`{t.id} = {v.id}` at line {line} makes both names refer to one object"
                hint = f"make the copy explicit (`{t.id} = dict({v.id})` or `list({v.id})`)"
                out[t.id] = Share(why, hint)
                out.setdefault(v.id, Share(why, hint))
            return out
        into = t.id if isinstance(t, ir.NameTarget) else None
        out = dict(self.share(s, escapes(v) - names - _same(v), into, loc) or {})  # never change `s`
        for n in _same(v) - names:  # `y = x if c else []`: y may be x's object
            out.setdefault(
                n,
                Share(
                    f"`{into or 'the target'} = ...` at line {line} may make it refer to one object",
                    f"make the copy explicit (`{into} = dict(...)` or `list(...)`)",
                ),
            )
        if fresh(v) if isinstance(t, ir.NameTarget) else _deep_fresh(v):
            return self.rebind_fresh(out, names)
        same = _same(v) - names
        roots = (_holders(v) - names) if isinstance(t, ir.NameTarget) else (_free(v) - names)
        part = roots - same
        if part and same:
            relation = f"a part of {_names(part)}, or the same object as {_names(same)},"
        elif same:
            relation = f"the same object as {_names(same)}"
        else:
            relation = f"a part of {_names(part)}"
        for n in names:
            why = (
                f"it may refer to {relation} since line {line}"
                if roots
                else f"it may refer to an object that is reachable another way (line {line})"
            )
            hint = f"copy it (`{n} = dict(...)` or `list(...)`), change the copy"
            if len(part) == 1 and not same:
                hint += f", and store it back (`{next(iter(part))}[key] = {n}`)"
            out[n] = Share(why, hint)
        return out

    def _parts_bound(self, s: dict[str, Share], names: set[str], v: ir.Expr, loc: ir.Loc) -> dict[str, Share]:
        """``names = v``: parts of what ``v`` takes from may be held by ``names`` now, and theirs by those."""
        out = dict(s)
        for n in names:
            out = cast(dict[str, Share], self.parts_after(out, n, v, loc, replace=True))
        return out

    def share(self, s: State, names: set[str], into: str | None, loc: ir.Loc) -> State:
        """``names``' objects become reachable from ``into`` (or, when None, from the value returned)."""
        if s is None or not names:
            return s
        out = dict(s)
        for n in names:
            if n in out:
                continue
            if into is not None:
                out[n] = Share(
                    f"it was put inside `{into}` at line {loc.line}",
                    f"put a copy inside (`list({n})` or `dict({n})`), or finish changing `{n}` first",
                )
            else:
                out[n] = Share(
                    f"it is the value being returned at line {loc.line}",
                    "change it before the return statement, or return a copy",
                )
        return out

    @staticmethod
    def rebind_fresh(s: dict[str, Share], names: set[str]) -> dict[str, Share]:
        gone = names | {parts(n) for n in names}
        return {k: v for k, v in s.items() if k not in gone} if names else s

    def parts_after(self, s: State, into: str, v: ir.Expr, loc: ir.Loc, replace: bool) -> State:
        """``v`` goes into ``into`` (its new value when ``replace``, else an item of it): a part of each name
        ``v`` takes from may now be reachable from ``into`` too, and the other way round."""
        if s is None:
            return s
        src = {
            n
            for n in _part_sources(v)
            if not n.startswith((_POPPED, *_MOVED)) or n in s or parts(n) in s  # a fresh temporary's value
        }
        out = dict(s)
        why = Share(
            f"an item of it may also be held by `{into}` since line {loc.line}",
            "store a new value instead of changing the item in place (`d[key] = d[key] + [x]`), or copy the "
            "item before you put it elsewhere",
        )
        for n in src - {into}:
            out.setdefault(parts(n), why)
        inside = into in src and (into in s or parts(into) in s)
        if src - {into} or inside:
            out[parts(into)] = s.get(parts(into)) or Share(
                f"an item of it may also be reachable another way since line {loc.line}", why.hint
            )
        elif replace:
            out.pop(parts(into), None)
        return out

    def mutate_part(self, part: str, s: dict[str, Share], loc: ir.Loc, value: ir.Expr) -> None:
        """An item of a local (the part temporary ``part`` holds it) is changed in place."""
        owner = self.part_of.get(part)
        if owner is None:
            self.mutate(part, s, loc, value)
            return
        t = self.target
        if owner in escapes(value) or part in escapes(value):
            self.report(
                loc,
                owner,
                f"`{owner}` is put inside itself: Python makes a value that contains itself, which no JSON "
                f"value (and no {t} value) can be",
                f"put a copy inside (`list({owner})` or `dict({owner})`)",
            )
        elif self.branch_bound is not None and owner not in self.branch_bound:
            self.report(
                loc,
                owner,
                f"a parallel branch changes an item of `{owner}`, a variable of the workflow: on {t} each "
                "branch works on a copy, so the change would be lost",
                "return the new value from the branch and assign it from ctx.parallel's result",
            )
        elif owner in s or parts(owner) in s:
            share = s.get(owner) or s[parts(owner)]
            self.report(
                loc,
                owner,
                f"an item of `{owner}` is changed in place, but {share.why}: {t} copies values on "
                "assignment, so the change would not show there",
                "store a new value instead (`d[key] = d[key] + [x]` for `d[key].append(x)`), which Python "
                "does not share either",
            )

    def _element_in_place(self, st: ir.SetItem) -> None:
        """``d[k] += v`` extends the list at ``d[k]`` in place, if it is one. Elements are not tracked: a
        shallow copy (``dict(d)``, ``d[:]``, a comprehension), a literal or a loop variable may share that
        list, so this is refused unless the element is known not to be a list (then the IR has no
        ``in_place``)."""
        op = st.value.op if isinstance(st.value, ir.BinOp) else "+"
        x = st.target
        self.report(
            st.loc,
            x,
            f"`{x}[...] {op}= ...` changes the list at `{x}[...]` in place, if it is one (its type is known "
            "only at run time), and another value may hold that same list (a shallow copy made with dict(), "
            f"list() or a slice shares its elements with the original, as do loop variables): {self.target} "
            "copies values on assignment, so the change would not show there",
            f"write `{x}[k] = {x}[k] {op} value`, which makes a new value",
        )

    def loop(self, st: ir.While | ir.For, s: dict[str, Share]) -> State:
        head: State = s
        walked = _lazy_roots(st.iter) if isinstance(st, ir.For) else set()
        keys = _current_keys(st) if isinstance(st, ir.For) else {}
        saved = dict(self.iterating)
        for n in walked:
            self.iterating.setdefault(n, (st.loc.line, keys.get(n)))
        loop = _Loop()
        try:
            for _ in range(64):
                loop = _Loop()
                self.loops.append(loop)
                entry = head
                if isinstance(st, ir.For) and entry is not None:
                    entry = self.for_target(st, entry)
                end = self.block(st.body, entry)
                self.loops.pop()
                new_head = _join(head, end, *loop.continues)
                if new_head == head:
                    break
                head = new_head
        finally:
            self.iterating = saved
        return _join(head, *loop.breaks)

    def for_target(self, st: ir.For, s: dict[str, Share]) -> dict[str, Share]:
        names = _names_bound(st.target)
        if _deep_fresh(st.iter):
            return self.rebind_fresh(s, names)
        keys = (isinstance(st.iter, ir.Name) and st.iter.ty == "dict") or (
            isinstance(st.iter, ir.Call) and st.iter.func in ("dict.keys", "any.keys")
        )
        out = dict(s) if keys else self._parts_bound(s, names, st.iter, st.loc)
        roots = _free(st.iter)
        for n in names:
            whole = _names(roots) if roots else "the loop's sequence"
            hint = f"change a copy (`{n} = dict({n})`)"
            if isinstance(st.iter, ir.Name) and isinstance(st.target, ir.NameTarget):
                seq = st.iter.id
                hint = f"store a changed copy back: `for i, {n} in enumerate({seq}):`, then "
                hint += f"`{n} = dict({n})`, change it, `{seq}[i] = {n}`"
            out[n] = Share(
                f"it is bound to an element of {whole} by the for loop at line {st.loc.line}",
                hint,
            )
        return out

    def try_(self, st: ir.Try, s: dict[str, Share]) -> State:
        finals: list[State] = []
        returned: list[State] = []
        if st.finalbody:
            self.collectors.append(finals)
            self.returns.append(returned)
        raised: list[State] = []
        self.collectors.append(raised)
        body_end = self.block(st.body, s)
        self.collectors.pop()
        at_raise = _join(s, *raised, body_end)
        ends: list[State] = [self.block(st.orelse, body_end)]
        for h in st.handlers:
            entry = (
                self.rebind_fresh(at_raise, {h.name} if h.name else set()) if at_raise is not None else None
            )
            ends.append(self.block(h.body, entry))
        normal = _join(*ends)
        if not st.finalbody:
            return normal
        self.collectors.pop()
        self.returns.pop()
        if returned:  # the finally after a return: checked on its own, then the workflow has returned
            self.block(st.finalbody, _join(*returned))
        fin_end = self.block(st.finalbody, _join(normal, at_raise, *finals))
        if self.loops and fin_end is not None:  # a break or continue in the try also ran the finally
            self.loops[-1].breaks.append(fin_end)
            self.loops[-1].continues.append(fin_end)
        return fin_end if normal is not None else None

    def branch(self, b: ir.Branch, s: dict[str, Share]) -> None:
        saved = self.branch_bound, self.loops, self.collectors, self.returns
        bound: set[str] = set()
        for x in ir.walk_stmts(b.body):
            if (isinstance(x, ir.Assign) and not x.in_place) or isinstance(x, (ir.StepCall, ir.For)):
                bound |= _names_bound(x.target)
        self.branch_bound, self.loops, self.collectors, self.returns = bound, [], [], []
        try:
            self.block(b.body, s)
        finally:
            self.branch_bound, self.loops, self.collectors, self.returns = saved


def check(program: ir.Program, target: str) -> list[Diagnostic]:
    """PFC041 for every in-place change ``target`` (a platform that copies values) would lose."""
    from .frontend.helpers import readable  # an inlined helper's variables, under their own names

    out: list[Diagnostic] = []
    for wf in program.workflows.values():
        out += _Checker(wf, target).run()
    out = [dataclasses.replace(d, message=readable(d.message), hint=readable(d.hint)) for d in out]
    return sorted(out, key=lambda d: (d.path, d.line, d.col))
