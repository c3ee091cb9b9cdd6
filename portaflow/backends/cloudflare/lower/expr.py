"""IR expressions -> TypeScript expressions over the shipped ``py`` runtime (``runtime/py*.ts``), with
Python's semantics: ``a + b`` is ``py.add(a, b)``, ``s.upper()`` is ``py.str_upper(s)``.

TypeScript evaluates call arguments left to right, as Python evaluates operands, so a lowered expression
keeps Python's order; what Python evaluates lazily (``and``/``or``, conditional expressions, the later
operands of a chained comparison) becomes an arrow function applied at once, which also gives
comprehensions and lambdas their own scope (Python 3's comprehension variables do not leak).

The IR's static types say what the values cannot: a float whose value is integral is a JS integer, so an
operand typed float passes a hint (``py.floordiv(a, b, 1)``: Python's float semantics and messages) and a
float-typed argument where Python wants an int is marked (``py.F(x)``: ``s.zfill(2.0)`` still
raises Python's TypeError). One function per construct, through dispatch tables by node type and by
catalogue row (:data:`CALLS`, every row of ``portaflow.compiler.catalog`` in it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, ClassVar

from portaflow.backends import generators, jsontypes
from portaflow.backends.lazy import children as _children
from portaflow.backends.lazy import consumed as _consumed
from portaflow.backends.lazy import lazy_kind as _lazy_kind
from portaflow.compiler import catalog, formatspec, ir
from portaflow.compiler.diagnostics import Diagnostic

NameOf = Callable[[str], str]
VALUE = "py.Value"


def expr(e: ir.Expr, name_of: NameOf) -> str:
    """``e`` as a TypeScript expression of type ``py.Value`` (a JS boolean for a comparison)."""
    return Lowering(name_of).lower(e)


def ts_string(text: str) -> str:
    return json.dumps(text)


def spec_object(p: ir.FormattedValue) -> str:
    """The runtime's ``Spec`` (pyformat.ts) of a field's parsed spec; the errors only where the value's type
    is    known at run time only (the frontend refused a spec its static type rejects)."""
    f = p.format
    fields: dict[str, Any] = {
        "type": f.type or None,
        "sign": f.sign or None,
        "z": f.z or None,
        "alt": f.alt or None,
        "width": f.width,
        "grouping": f.grouping or None,
        "group": f.group_size() if f.grouping else None,
        "precision": f.precision,
        "str": list(f.layout("str")),
        "num": list(f.layout("int")),
    }
    if p.value.ty == "any" and p.conversion == "":
        fields["errors"] = {k: list(v) for k, v in formatspec.errors(p.spec).items()}
    return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in fields.items() if v is not None) + "}"


def const(value: Any) -> str:
    """A JSON constant as a TypeScript value (dicts are Maps)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"({value})" if value < 0 else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "(-Infinity)"
        text = repr(value)
        return f"({text})" if value < 0 or text.startswith("-") else text
    if isinstance(value, str):
        return ts_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(const(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"[{ts_string(k)}, {const(v)}]" for k, v in value.items())
        return f"py.dictFrom([{pairs}])"
    raise ValueError(f"not a JSON constant: {value!r}")


def float_hint(*operands: ir.Expr) -> int:
    """Bit i set: operand i's static type is float (the runtime's ``f`` argument)."""
    return sum(1 << i for i, o in enumerate(operands) if o.ty == "float")


class Lowering:
    def __init__(self, name_of: NameOf) -> None:
        self.name_of = name_of
        self.counter = 0
        self._table: dict[type[Any], Callable[[Any], str]] = {
            ir.Const: lambda e: const(e.value),
            ir.Name: lambda e: self.name_of(e.id),
            ir.RunId: lambda e: "run.runId",
            ir.Patched: lambda e: f"run.patched({json.dumps(e.change_id)})",
            ir.ListExpr: self._list,
            ir.DictExpr: self._dict,
            ir.Subscript: self._subscript,
            ir.Slice: self._slice,
            ir.BinOp: self._binop,
            ir.UnaryOp: self._unary,
            ir.BoolOp: self._boolop,
            ir.Compare: self._compare,
            ir.IfExp: self._ifexp,
            ir.FString: self._fstring,
            ir.Call: self._call,
            ir.Lambda: self._lambda,
            ir.ListComp: self._listcomp,
            ir.DictComp: self._dictcomp,
            ir.ErrorField: self._error_field,
            ir.IsError: self._is_error,
        }

    def fresh(self) -> str:
        """A temporary: ``$`` and a digit, which no ``$name`` of a Python identifier can be."""
        self.counter += 1
        return f"$0{self.counter}"

    def lower(self, e: ir.Expr) -> str:
        return self._table[type(e)](e)

    def arg(self, e: ir.Expr) -> str:
        """``e`` where Python wants an int or names the argument's type: a float-typed one is marked."""
        text = self.lower(e)
        return f"py.F({text})" if e.ty == "float" else text

    @staticmethod
    def _hinted(call: str, f: int) -> str:
        return f"{call[:-1]}, {f})" if f else call

    # ----- containers and subscripts
    def _list(self, e: ir.ListExpr) -> str:
        return f"[{', '.join(self.lower(x) for x in e.items)}] as {VALUE}[]"

    def _dict(self, e: ir.DictExpr) -> str:
        # Python evaluates each key before its value, pair by pair
        pairs = ", ".join(
            f"[{self.lower(k)}, {self.lower(v)}]" for k, v in zip(e.keys, e.values, strict=True)
        )
        return f"py.dictFrom([{pairs}])"

    def _subscript(self, e: ir.Subscript) -> str:
        return f"py.getitem({self.arg(e.value)}, {self.arg(e.index)})"

    def _slice(self, e: ir.Slice) -> str:
        lo = self.arg(e.lower) if e.lower is not None else "undefined"
        hi = self.arg(e.upper) if e.upper is not None else "undefined"
        if e.step is not None:
            return f"py.sliceStep({self.arg(e.value)}, {lo}, {hi}, {self.arg(e.step)})"
        return f"py.slice({self.arg(e.value)}, {lo}, {hi})"

    # ----- operators
    _BINOPS: ClassVar[dict[str, str]] = {
        "+": "add",
        "-": "sub",
        "*": "mul",
        "/": "truediv",
        "//": "floordiv",
        "%": "mod",
        "**": "pow",
    }

    def _binop(self, e: ir.BinOp) -> str:
        call = f"py.{self._BINOPS[e.op]}({self.lower(e.left)}, {self.lower(e.right)})"
        return self._hinted(call, float_hint(e.left, e.right))

    def _unary(self, e: ir.UnaryOp) -> str:
        if e.op == "not":
            return f"py.not({self.arg(e.operand)})"
        if e.op == "-":
            return self._hinted(f"py.neg({self.arg(e.operand)})", float_hint(e.operand))
        return f"py.pos({self.arg(e.operand)})"

    def _boolop(self, e: ir.BoolOp) -> str:
        """``a and b`` / ``a or b``: an operand, the later ones evaluated only when needed."""
        out = self.lower(e.values[-1])
        for v in reversed(e.values[:-1]):
            t = self.fresh()
            pick = f"{out} : {t}" if e.op == "and" else f"{t} : {out}"
            out = f"(({t}: {VALUE}): {VALUE} => (py.truthy({t}) ? {pick}))({self.lower(v)})"
        return out

    def _compare(self, e: ir.Compare) -> str:
        operands = [e.left, *e.comparators]
        # a set's membership hashes the member first (Python's TypeError for a list or a dict)
        ops = [f"{op} set" if op in ("in", "not in") and c.ty == "set" else op for op, c in
               zip(e.ops, e.comparators, strict=True)]  # fmt: skip
        if len(e.ops) == 1:
            return f"py.compare({ts_string(ops[0])}, {self.arg(e.left)}, {self.arg(e.comparators[0])})"
        # a < b < c: each operand evaluated once, the chain stopping at the first false comparison
        names = [self.fresh() for _ in operands]
        lines = []
        for i, op in enumerate(ops):
            lines.append(f"const {names[i + 1]} = {self.arg(operands[i + 1])};")
            test = f"py.compare({ts_string(op)}, {names[i]}, {names[i + 1]})"
            lines.append(f"if (!{test}) return false;" if i < len(e.ops) - 1 else f"return {test};")
        return f"(({names[0]}: py.Arg): boolean => {{ {' '.join(lines)} }})({self.arg(e.left)})"

    def _ifexp(self, e: ir.IfExp) -> str:
        return f"(py.truthy({self.lower(e.test)}) ? {self.lower(e.body)} : {self.lower(e.orelse)})"

    def _fstring(self, e: ir.FString) -> str:
        parts = []
        for p in e.parts:
            if isinstance(p, ir.Const):
                parts.append(ts_string(str(p.value)))
            else:
                is_float = "true" if p.value.ty == "float" else "false"
                spec = spec_object(p) if p.spec else '""'
                args = f"{self.lower(p.value)}, {spec}, {ts_string(p.conversion)}, {is_float}"
                parts.append(f"py.field({args})")
        return "(" + " + ".join(['""', *parts]) + ")"

    # ----- functions and comprehensions
    def _lambda(self, e: ir.Lambda) -> str:
        params = ", ".join(f"{self.name_of(p)}: {VALUE}" for p in e.params)
        return f"(({params}): {VALUE} => {self.lower(e.body)})"

    def _bind(self, target: ir.Target, value: str) -> str:
        """Statements binding a comprehension's target (``const``: a new name in each iteration's scope)."""
        if isinstance(target, ir.NameTarget):
            return f"const {self.name_of(target.id)}: {VALUE} = {value};"
        tmp = self.fresh()
        inner = " ".join(self._bind(t, f"{tmp}[{i}]") for i, t in enumerate(target.elts))
        return f"const {tmp} = py.unpack({value}, {len(target.elts)}); {inner}"

    def _loops(self, generators: tuple[ir.Comprehension, ...], first: str, innermost: str) -> str:
        body = innermost
        for i, g in reversed(list(enumerate(generators))):
            item = self.fresh()
            tests = " ".join(f"if (!py.truthy({self.lower(t)})) continue;" for t in g.ifs)
            source = first if i == 0 else f"py.items({self.arg(g.iter)})"
            body = f"for (const {item} of {source}) {{ {self._bind(g.target, item)} {tests} {body} }}"
        return body

    def _comprehension(
        self, generators: tuple[ir.Comprehension, ...], init: str, add: Callable[[str], str]
    ) -> str:
        # the first iterable is evaluated outside the comprehension's scope, as in Python
        first, out = self.fresh(), self.fresh()
        loops = self._loops(generators, first, add(out))
        source = f"py.items({self.arg(generators[0].iter)})"
        body = f"{{ const {out} = {init}; {loops} return {out}; }}"
        return f"(({first}: readonly {VALUE}[]): {VALUE} => {body})({source})"

    def _listcomp(self, e: ir.ListComp) -> str:
        return self._comprehension(
            e.generators, f"[] as {VALUE}[]", lambda out: f"{out}.push({self.lower(e.elt)});"
        )

    def _dictcomp(self, e: ir.DictComp) -> str:
        def add(out: str) -> str:
            return f"py.dictSet({out}, {self.lower(e.key)}, {self.lower(e.value)});"

        return self._comprehension(e.generators, f"new Map<{VALUE}, {VALUE}>()", add)

    def _is_error(self, e: ir.IsError) -> str:
        """``isinstance(x, SomeError)``: what ``except SomeError`` catches (the runtime's ``caught``), a
        fan-out's outcome being a PyError; a JSON value never is one."""
        names = ["BaseException"] if e.catch_all else list(e.matches)
        step_failed = "true" if "StepFailed" in e.types else "false"
        return f"caught({self.lower(e.value)}, {json.dumps(names)}, {step_failed})"

    def _error_field(self, e: ir.ErrorField) -> str:
        only = "true" if e.step_failure_only else "false"
        return f"py.errorField({self.name_of(e.name)}, {ts_string(e.field)}, {only})"

    # ----- calls of the catalogue
    def _call(self, e: ir.Call) -> str:
        row = catalog.lookup(e.func)
        if row is None:
            raise ValueError(f"no lowering for the call {e.func}: not in the catalogue")
        return CALLS[row.name](self, e)

    def args(self, e: ir.Call, plain: tuple[int, ...] = ()) -> list[str]:
        """The positional arguments, float-typed ones marked, except at the indexes ``plain`` (stored)."""
        return [self.lower(a) if i in plain else self.arg(a) for i, a in enumerate(e.args)]

    def kw(self, e: ir.Call, name: str, default: str = "undefined") -> str:
        for k, v in e.kwargs:
            if k == name:
                return self.lower(v)
        return default


Lower = Callable[[Lowering, ir.Call], str]


def _fn(name: str, plain: tuple[int, ...] = ()) -> Lower:
    """A call of ``py.<name>`` with the positional arguments, in order."""
    return lambda lw, e: f"py.{name}({', '.join(lw.args(e, plain))})"


def _str(lw: Lowering, e: ir.Call) -> str:
    if not e.args:
        return '""'
    return f"py.{'strFloat' if e.args[0].ty == 'float' else 'str'}({lw.lower(e.args[0])})"


def _round(lw: Lowering, e: ir.Call) -> str:
    args = lw.args(e)
    if len(args) == 1:
        args.append("undefined")
    return f"py.round({', '.join(args)}, {'true' if e.args[0].ty == 'float' else 'false'})"


def _minmax(lw: Lowering, e: ir.Call) -> str:
    args = ", ".join(lw.args(e))
    key, default = lw.kw(e, "key", "null"), lw.kw(e, "default")
    return f"py.{e.func}([{args}], {key}, {default})"


def _sorted(lw: Lowering, e: ir.Call) -> str:
    return f"py.sorted({lw.args(e)[0]}, {lw.kw(e, 'key', 'null')}, {lw.kw(e, 'reverse', 'false')})"


def _zip(lw: Lowering, e: ir.Call) -> str:
    return f"py.zip({', '.join(lw.args(e))}, {lw.kw(e, 'strict', 'false')})"


def _json_dumps(lw: Lowering, e: ir.Call) -> str:
    is_float = "true" if e.args[0].ty == "float" else "false"
    if not e.kwargs:
        return f"py.json_dumps({lw.lower(e.args[0])}, {is_float})"
    # the options are literals (frontend/calls.py json_options): a TypeScript object of their JSON values
    options = ", ".join(f"{k}: {json.dumps(v.value)}" for k, v in e.kwargs if isinstance(v, ir.Const))
    return f"py.json_dumps({lw.lower(e.args[0])}, {is_float}, {{{options}}})"


def _isinstance(lw: Lowering, e: ir.Call) -> str:
    """Python's class test as the value's type name (a float-typed value is marked, so it is a float)."""
    names = ", ".join(ts_string(n) for n in jsontypes.type_names(e))
    return f"[{names}].includes(py.typeName({lw.arg(e.args[0])}))"


def _any_all(lw: Lowering, e: ir.Call, decides: str) -> str:
    """any()/all(); of a generator, a loop that returns at the item that decides, so that the later ones
    are not computed (nor raise), as in Python."""
    gen = e.args[0]
    if not (isinstance(gen, ir.ListComp) and gen.generator):
        return f"py.{e.func}({lw.arg(gen)})"
    test = "" if decides == "true" else "!"
    other = "false" if decides == "true" else "true"

    def add(out: str) -> str:
        return f"if ({test}py.truthy({lw.lower(gen.elt)})) return {decides};"

    return lw._comprehension(gen.generators, other, add)


def _next(lw: Lowering, e: ir.Call) -> str:
    """``next(generator, default)``: a loop that returns the first item (the later ones are not computed);
    the default is evaluated after the first iterable, as in Python."""
    gen = e.args[0]
    assert isinstance(gen, ir.ListComp)  # the frontend takes a generator expression only

    def add(out: str) -> str:
        return f"return {lw.lower(gen.elt)};"

    return lw._comprehension(gen.generators, lw.arg(e.args[1]), add)


def _sum(lw: Lowering, e: ir.Call) -> str:
    return f"py.sum({', '.join(lw.args(e))})"


def _divmod(lw: Lowering, e: ir.Call) -> str:
    return lw._hinted(f"py.divmodOf({lw.lower(e.args[0])}, {lw.lower(e.args[1])})", float_hint(*e.args))


CALLS: dict[str, Lower] = {
    "divmod": _divmod,
    "len": _fn("len"),
    "type.__name__": lambda lw, e: f"py.typeName({lw.arg(e.args[0])})",
    "str": _str,
    "int": _fn("int_"),
    "float": _fn("float_"),
    "bool": _fn("bool"),
    "abs": _fn("abs"),
    "min": _minmax,
    "max": _minmax,
    "sum": _sum,
    "sorted": _sorted,
    "round": _round,
    "range": _fn("range"),
    "enumerate": _fn("enumerate"),
    "zip": _zip,
    "list": _fn("list"),
    "isinstance": _isinstance,
    "set": lambda lw, e: f"py.set({lw.lower(e.args[0])})" if e.args else f"[] as {VALUE}[]",
    "reversed": _fn("reversed"),
    "dict": _fn("dict"),
    "any": lambda lw, e: _any_all(lw, e, "true"),
    "next": _next,
    "all": lambda lw, e: _any_all(lw, e, "false"),
    "json.dumps": _json_dumps,
    "json.loads": _fn("json_loads"),
    "timedelta": _fn("timedelta"),
    "dict.get": _fn("dict_get", plain=(2,)),
    "list.append": _fn("list_append", plain=(1,)),
    "list.extend": _fn("list_extend"),
    **{
        row.name: _fn(row.name.replace(".", "_"))
        for row in catalog.ROWS
        if row.is_method and row.name not in ("dict.get", "list.append", "list.extend")
    },
}


# ------------------------------------------------------------------------------------------ refusals
# a lazy object kept as a value: portaflow.backends.lazy
def _why(parent: Any, child: ir.Expr) -> tuple[str, str] | None:
    """(what Python does, what to write instead) where ``child`` under ``parent`` cannot be exact."""
    kind = _lazy_kind(child)
    if kind is not None and not _consumed(parent, child):
        call = child.func.rpartition(".")[2] if isinstance(child, ir.Call) else kind
        return (
            f"{call}() gives a {kind} object in Python (lazy: it prints, compares and is measured as a "
            f"{kind}, and an iterator is used up by one pass), which the Cloudflare runtime holds as a list",
            f"write list({call}(...)) where the value is kept, printed, compared or indexed; iterate "
            f"{call}(...) directly in a for loop or comprehension",
        )
    if isinstance(child, ir.Call) and child.func in generators.PARTIAL:
        found = generators.eager_refusal(child, "Cloudflare")
        if found is not None:
            return found
    if isinstance(child, ir.Call) and child.func in ("isinstance", "set"):
        check = jsontypes.refusal if child.func == "isinstance" else jsontypes.set_refusal
        found = check(child, "Cloudflare")
        if found is not None:
            return found
    return None


def refusals(program: ir.Program) -> list[Diagnostic]:
    """PFC060 for each statement holding an expression the TypeScript lowering cannot give Python's result
    for (one diagnostic per statement, naming the first such expression)."""
    out: list[Diagnostic] = []
    for wf in program.workflows.values():
        for stmt in ir.walk_stmts(wf.body):
            found = _first(stmt, None)
            if found is not None:
                what, instead = found
                where = (wf.source or program.source, stmt.loc.line, stmt.loc.col)
                out.append(Diagnostic("PFC060", f"not exact on Cloudflare: {what}", *where, instead))
    return out


def _first(node: Any, parent: Any) -> tuple[str, str] | None:
    for child in _children(node):
        why = _why(node, child) or _first(child, node)
        if why is not None:
            return why
    return None
