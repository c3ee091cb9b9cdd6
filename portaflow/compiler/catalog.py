"""The one catalogue of the builtins and methods a workflow may call (docs/dsl.md).

Each row says, once, everything the compiler knows of a call: how it may be called (its
:class:`Signature`, which the frontend checks), the IR type of its result, the Python exceptions it may
raise (an empty tuple: none, whatever its arguments' values, so a backend needs no guard for it), what of its
arguments its result may share (which :mod:`.aliasing` follows) and whether it changes its receiver in place.
The frontend, :mod:`.aliasing`, :mod:`.ir.raises` and every backend read these facts here; a backend keeps
only its lowering of each row (on AWS, ``portaflow.backends.aws.lower.calls``), keyed by :attr:`Builtin.name`.

Names: ``len`` for a builtin, ``json.dumps`` for a module function, ``str.upper`` / ``dict.get`` /
``list.append`` / ``datetime.timestamp`` for a method (the IR's :attr:`ir.Call.func`; the receiver is the
call's first argument).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the IR imports this module (ir.raises): only its types are needed here
    from .ir.nodes import Expr, Type

# What a call's result may share with its arguments, for a target that copies values (aliasing.py):
#   "none":     nothing mutable of them (numbers, strings, bools, new lists of strings)
#   "elements": a new list or dict made of their elements
#   "item":     an item of the receiver, or the default (d.get(k, default))
#   "pick":     one of several arguments, or an element of the one argument (min, max)
Shares = Literal["none", "elements", "item", "pick"]
TypeRule = Callable[[Sequence["Expr"]], "Type"]


def n_arguments(n: int) -> str:
    return "one argument" if n == 1 else plural(n, "argument")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass(frozen=True)
class Signature:
    """How a builtin or method may be called in a workflow, and what more Python accepts: a call outside
    the first is refused at compile time, since a lowering would drop what it does not take (or crash on
    what is missing) where Python raises TypeError or does something the targets do not."""

    usage: str  # the supported forms, as a hint shows them
    least: int  # positional arguments, at least
    most: int | None  # and at most (None: any number)
    keywords: tuple[str, ...] = ()  # keywords every lowering takes
    by_name: tuple[str, ...] = ()  # keyword spellings of the positional parameters, in order ("" none)
    python_extra: int = 0  # positional arguments Python takes beyond ``most``
    python_keywords: tuple[str, ...] = ()  # keywords Python takes that no lowering does
    any_keyword: bool = False  # Python takes any keyword (dict(a=1))
    why: str = ""  # why the forms only Python takes are refused
    instead: str = ""  # and what to write for them

    def count(self) -> str:
        """The supported number of positional arguments, in words."""
        least, most = self.least, self.most
        if most is None:
            return f"at least {n_arguments(least)}"
        if least == most:
            return "no arguments" if least == 0 else f"exactly {n_arguments(least)}"
        if least == 0 and most == 1:
            return "at most one argument"
        return f"{least} {'or' if most == least + 1 else 'to'} {most} arguments"


@dataclass(frozen=True)
class Builtin:
    """One row of the catalogue."""

    name: str
    signature: Signature
    result: Type  # the IR type of the result (when ``typed`` is None)
    raises: tuple[str, ...]  # Python exception classes a call may raise; () none, whatever the values
    shares: Shares = "none"
    typed: TypeRule | None = None  # the result type from the lowered arguments, where they decide it
    number: bool = False  # the result is an int or a float, never a bool, whatever the arguments
    items: Type = "any"  # the type of the result's items, where every call's are one type
    lazy: bool = False  # a `for` over the result walks the argument while it runs (a change is seen)
    mutates: bool = False  # changes its receiver in place and returns None: a statement of its own
    attribute: bool = False  # a data attribute of the receiver (td.days), not a method: no call
    module: str = ""  # the module a workflow imports it from (timedelta: datetime); not a builtin

    @property
    def receiver(self) -> str:
        """The type a method is called on (``"str"`` for ``str.lower``); "" for a builtin."""
        return self.name.partition(".")[0] if self.is_method else ""

    @property
    def is_method(self) -> bool:
        """A method: its receiver is the call's first argument."""
        return self.name.partition(".")[0] in RECEIVERS and "." in self.name

    @property
    def method(self) -> str:
        """``"upper"`` for ``str.upper``; a builtin's or module function's full name."""
        return self.name.partition(".")[2] if self.is_method else self.name

    def result_type(self, args: Sequence[Expr]) -> Type:
        return self.typed(args) if self.typed is not None else self.result


RECEIVERS = ("str", "dict", "list", "datetime", "timedelta")  # the receiver types whose methods are rows


def arith_type(ty: Type) -> Type:
    """The type of -x, +x and abs(x) for x of type ``ty`` (a bool is the int 0 or 1; -td is a timedelta)."""
    if ty in ("float", "timedelta"):
        return ty
    return "int" if ty in ("int", "bool") else "any"


def _abs_type(args: Sequence[Expr]) -> Type:
    return arith_type(args[0].ty) if args else "any"


def _round_type(args: Sequence[Expr]) -> Type:
    return "int" if len(args) == 1 else "float" if args and args[0].ty == "float" else "any"


def _sum_type(args: Sequence[Expr]) -> Type:
    """``sum(xs)`` of ints (or bools) is an int, also when ``xs`` is empty; of floats it is 0 when empty."""
    from .ir.types import elem_type  # the IR imports this module

    return "int" if len(args) == 1 and elem_type(args[0]) in ("int", "bool") else "any"


_TYPE = ("TypeError",)  # an argument of a type the call does not take
_VALUE = ("TypeError", "ValueError")
_METHOD = ("AttributeError", "TypeError")  # a receiver known only at run time may lack the method
_NO_OPTIONS = "it takes no options"


ROWS: tuple[Builtin, ...] = (
    Builtin("len", Signature("len(x)", 1, 1), "int", _TYPE, number=True),
    # type(x).__name__ of a JSON value: only the frontend makes it (the messages of the checks it makes for
    # a method that changes a value in place, frontend/mutations.py); a workflow cannot call type()
    Builtin("type.__name__", Signature("type(x).__name__", 1, 1), "str", ()),
    Builtin(
        "str",
        Signature(
            "str(x) or str()",
            0,
            1,
            python_extra=2,
            python_keywords=("object", "encoding", "errors"),
            why="str(b, encoding, errors) decodes bytes, which are not JSON values",
            instead="decode in a @step",
        ),
        "str",
        (),
    ),
    Builtin(
        "int",
        Signature(
            "int(x) or int()",
            0,
            1,
            python_extra=1,
            python_keywords=("base",),
            why="only base 10 is supported, as int(x)",
            instead="parse text in another base in a @step",
        ),
        "int",
        (*_VALUE, "OverflowError"),  # int(inf)
        number=True,
    ),
    Builtin("float", Signature("float(x) or float()", 0, 1), "float", _VALUE, number=True),
    Builtin("bool", Signature("bool(x) or bool()", 0, 1), "bool", ()),
    Builtin("abs", Signature("abs(x)", 1, 1), "any", _TYPE, typed=_abs_type, number=True),
    Builtin(
        "min",
        Signature(
            "min(xs), min(xs, key=lambda x: ..., default=v) or min(a, b, ...)", 1, None, ("key", "default")
        ),
        "any",
        _VALUE,  # ValueError: an empty sequence without default=
        shares="pick",
    ),
    Builtin(
        "max",
        Signature(
            "max(xs), max(xs, key=lambda x: ..., default=v) or max(a, b, ...)", 1, None, ("key", "default")
        ),
        "any",
        _VALUE,
        shares="pick",
    ),
    # (a // b, a % b), a tuple (a list on the targets that keep JSON values), with divmod's own messages
    Builtin("divmod", Signature("divmod(a, b)", 2, 2), "list", ("TypeError", "ZeroDivisionError")),
    Builtin(
        "sum",
        Signature("sum(xs) or sum(xs, start)", 1, 2, by_name=("", "start")),
        "any",
        _TYPE,
        shares="elements",
        typed=_sum_type,
    ),
    Builtin(
        "sorted",
        Signature("sorted(xs), with key=lambda x: ... and reverse=...", 1, 1, ("key", "reverse")),
        "list",
        _TYPE,
        shares="elements",
    ),
    Builtin(
        "round",
        Signature("round(x) or round(x, ndigits)", 1, 2, by_name=("number", "ndigits")),
        "any",
        ("TypeError", "ValueError", "OverflowError"),  # round(nan), round(inf)
        typed=_round_type,
        number=True,
    ),
    Builtin(
        "range",
        Signature("range(stop), range(start, stop) or range(start, stop, step)", 1, 3),
        "list",
        _VALUE,  # ValueError: a step of 0
        items="int",
    ),
    Builtin(
        "enumerate",
        Signature("enumerate(xs) or enumerate(xs, start)", 1, 2, by_name=("iterable", "start")),
        "list",
        _TYPE,
        shares="elements",
        lazy=True,
    ),
    Builtin(
        "zip",
        Signature("zip(xs, ys) or zip(xs, ys, strict=True)", 2, 2, ("strict",)),
        "list",
        _VALUE,  # ValueError: strict=True and lengths that differ
        shares="elements",
        lazy=True,
    ),
    Builtin("list", Signature("list(xs) or list()", 0, 1), "list", _TYPE, shares="elements"),
    # the frontend (frontend/sets.py) makes its IR: (items, Const(line of the first tuple the module's
    # workflows keep, 0 for none)), also for a set display or comprehension; TypeError: an unhashable item
    Builtin("set", Signature("set(xs) or set()", 0, 1), "set", _TYPE, shares="elements"),
    # an iterator in Python: consumed where it is written (for, list(), join...), like enumerate
    Builtin("reversed", Signature("reversed(xs)", 1, 1), "list", _TYPE, shares="elements", lazy=True),
    Builtin(
        "dict",
        Signature(
            'dict(pairs), dict() or a literal {"k": v}',
            0,
            1,
            any_keyword=True,
            why="keyword arguments are not supported",
        ),
        "dict",
        _VALUE,  # ValueError: a pair of another length
        shares="elements",
    ),
    # the frontend (frontend/typetests.py) makes its IR: (value, Const([class names]), Const(line of the
    # first tuple the module's workflows make, 0 for none)); Python raises TypeError for a second argument
    # that is no class, which the frontend refuses
    Builtin(
        "isinstance",
        Signature("isinstance(x, T) or isinstance(x, (T1, T2))", 2, 2),
        "bool",
        _TYPE,
    ),
    Builtin("any", Signature("any(xs)", 1, 1), "bool", _TYPE),
    # next((x for x in xs if test), default): the first item of a generator; the items after it are not
    # computed (the frontend takes a generator expression and a default only)
    Builtin("next", Signature("next((x for x in xs if ...), default)", 1, 2), "any", _TYPE, shares="pick"),
    Builtin("all", Signature("all(xs)", 1, 1), "bool", _TYPE),
    Builtin(
        "json.dumps",
        Signature(
            "json.dumps(value), with sort_keys=, indent=, separators=, ensure_ascii= (literals)",
            1,
            1,
            ("sort_keys", "indent", "separators", "ensure_ascii"),
            python_keywords=("skipkeys", "check_circular", "allow_nan", "cls", "default"),
            why="it takes sort_keys, indent, separators and ensure_ascii (a workflow's values are JSON "
            "values: default= and the others change nothing or need a function)",
            instead="format the text in a @step",
        ),
        "str",
        _VALUE,  # TypeError: keys of mixed types (sorting); ValueError: a circular value
    ),
    Builtin(
        "json.loads",
        Signature(
            "json.loads(text)",
            1,
            1,
            python_keywords=(
                "cls",
                "object_hook",
                "parse_float",
                "parse_int",
                "parse_constant",
                "object_pairs_hook",
            ),
            why=_NO_OPTIONS,
            instead="parse the text in a @step",
        ),
        "any",
        _VALUE,  # json.JSONDecodeError is a ValueError
        shares="elements",
    ),
    Builtin("str.lower", Signature("s.lower()", 0, 0), "str", _METHOD),
    Builtin("str.upper", Signature("s.upper()", 0, 0), "str", _METHOD),
    Builtin("str.strip", Signature("s.strip() or s.strip(chars)", 0, 1), "str", _METHOD),
    Builtin("str.lstrip", Signature("s.lstrip() or s.lstrip(chars)", 0, 1), "str", _METHOD),
    Builtin("str.rstrip", Signature("s.rstrip() or s.rstrip(chars)", 0, 1), "str", _METHOD),
    Builtin(
        "str.split",
        Signature(
            "s.split() or s.split(sep)",
            0,
            1,
            by_name=("sep",),
            python_extra=1,
            python_keywords=("maxsplit",),
            why="it splits at every separator (no maxsplit)",
            instead="split on every separator, then join the tail again: sep.join(parts[n:])",
        ),
        "list",
        (*_METHOD, "ValueError"),  # ValueError: an empty separator
    ),
    Builtin("str.join", Signature("sep.join(xs)", 1, 1), "str", _METHOD),
    Builtin(
        "str.startswith",
        Signature(
            "s.startswith(prefix)",
            1,
            1,
            python_extra=2,
            why="it tests the whole string (no start, end)",
            instead="slice first: s[start:end].startswith(prefix)",
        ),
        "bool",
        _METHOD,
    ),
    Builtin(
        "str.endswith",
        Signature(
            "s.endswith(suffix)",
            1,
            1,
            python_extra=2,
            why="it tests the whole string (no start, end)",
            instead="slice first: s[start:end].endswith(suffix)",
        ),
        "bool",
        _METHOD,
    ),
    Builtin(
        "str.replace",
        Signature(
            "s.replace(old, new)",
            2,
            2,
            python_extra=1,
            python_keywords=("count",),
            why="it replaces every occurrence (no count)",
            instead="replace in a @step",
        ),
        "str",
        _METHOD,
    ),
    # the search methods: sub, then the optional start and end of a slice (None, negative, or past the end)
    *(
        Builtin(
            f"str.{m}",
            Signature(f"s.{m}(sub), s.{m}(sub, start) or s.{m}(sub, start, end)", 1, 3),
            "int",
            (*_METHOD, "ValueError") if m in ("index", "rindex") else _METHOD,  # "substring not found"
            number=True,
        )
        for m in ("find", "rfind", "index", "rindex", "count")
    ),
    Builtin("str.removeprefix", Signature("s.removeprefix(prefix)", 1, 1), "str", _METHOD),
    Builtin("str.removesuffix", Signature("s.removesuffix(suffix)", 1, 1), "str", _METHOD),
    Builtin("str.zfill", Signature("s.zfill(width)", 1, 1), "str", _METHOD),
    *(
        Builtin(f"str.{m}", Signature(f"s.{m}(width) or s.{m}(width, fillchar)", 1, 2), "str", _METHOD)
        for m in ("ljust", "rjust", "center")
    ),
    *(
        Builtin(
            f"str.{m}",
            Signature(f"s.{m}(sep)", 1, 1),
            "list",  # Python's 3-tuple: a list on every target that keeps JSON values (docs/dsl.md)
            (*_METHOD, "ValueError"),  # ValueError: an empty separator
        )
        for m in ("partition", "rpartition")
    ),
    Builtin(
        "str.splitlines",
        Signature(
            "s.splitlines()",
            0,
            0,
            by_name=(),
            python_extra=1,
            python_keywords=("keepends",),
            why="it drops the line breaks (no keepends)",
            instead="split on the break you keep: [line + '\\n' for line in s.split('\\n')]",
        ),
        "list",
        _METHOD,
    ),
    *(
        Builtin(f"str.{m}", Signature(f"s.{m}()", 0, 0), "str", _METHOD)
        for m in ("title", "capitalize", "casefold")
    ),
    *(
        Builtin(f"str.{m}", Signature(f"s.{m}()", 0, 0), "bool", _METHOD)
        for m in ("isspace", "isdigit", "isalpha", "isalnum", "isupper", "islower")
    ),
    Builtin("dict.get", Signature("d.get(key) or d.get(key, default)", 1, 2), "any", _METHOD, shares="item"),
    Builtin("dict.keys", Signature("d.keys()", 0, 0), "list", ("AttributeError",), lazy=True),
    Builtin(
        "dict.values",
        Signature("d.values()", 0, 0),
        "list",
        ("AttributeError",),
        shares="elements",
        lazy=True,
    ),
    Builtin(
        "dict.items", Signature("d.items()", 0, 0), "list", ("AttributeError",), shares="elements", lazy=True
    ),
    Builtin("list.append", Signature("xs.append(x)", 1, 1), "none", ("AttributeError",), mutates=True),
    Builtin("list.extend", Signature("xs.extend(ys)", 1, 1), "none", _METHOD, mutates=True),
    # The receiver is always ctx.now()'s datetime, whose methods raise nothing in Python. They are kept as
    # raising so that the AWS output stays as it was ($toMillis of the ISO string, inside the guard); a
    # later change may make them () and update the goldens that call them (s56_now_timestamp).
    Builtin("datetime.timestamp", Signature("ctx.now().timestamp()", 0, 0), "float", _TYPE),
    Builtin(
        "datetime.isoformat",
        Signature(
            "ctx.now().isoformat()",
            0,
            0,
            python_extra=2,
            python_keywords=("sep", "timespec"),
            why="it writes the default form only (no sep, timespec)",
            instead="build the text from .isoformat() with str methods, or format the time in a @step",
        ),
        "str",
        _TYPE,
    ),
    # a literal format of the directives every target writes alike (frontend/datetimes.py checks it)
    Builtin("datetime.strftime", Signature("t.strftime(format)", 1, 1), "str", _TYPE),
    # the fields of ctx.now()'s datetime (UTC), read as attributes
    *(
        Builtin(f"datetime.{field}", Signature(f"t.{field}", 0, 0), "int", (), attribute=True)
        for field in ("year", "month", "day", "hour", "minute", "second", "microsecond")
    ),
    # the day of the week: Monday is 0 (weekday) or 1 (isoweekday)
    Builtin("datetime.weekday", Signature("t.weekday()", 0, 0), "int", ()),
    Builtin("datetime.isoweekday", Signature("t.isoweekday()", 0, 0), "int", ()),
    # datetime.timedelta (module-level `from datetime import timedelta` or `import datetime`): the frontend
    # passes all seven parameters positionally, each an int (datetimes.py); OverflowError past 999999999 days
    Builtin(
        "timedelta",
        Signature(
            "timedelta(days=0, seconds=0, microseconds=0, milliseconds=0, minutes=0, hours=0, weeks=0)",
            0,
            7,
            by_name=("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"),
        ),
        "timedelta",
        ("OverflowError",),
        module="datetime",
    ),
    Builtin("timedelta.days", Signature("td.days", 0, 0), "int", (), attribute=True),
    Builtin("timedelta.seconds", Signature("td.seconds", 0, 0), "int", (), attribute=True),
    Builtin("timedelta.microseconds", Signature("td.microseconds", 0, 0), "int", (), attribute=True),
    Builtin("timedelta.total_seconds", Signature("td.total_seconds()", 0, 0), "float", ()),
)
CATALOG: dict[str, Builtin] = {b.name: b for b in ROWS}


def lookup(func: str) -> Builtin | None:
    """The row of an IR call's ``func``; ``any.<method>`` (a receiver typed at run time) is a dict's."""
    if func.startswith("any."):
        func = "dict." + func[4:]
    return CATALOG.get(func)


def methods(receiver: str) -> tuple[str, ...]:
    """The method names of ``receiver`` (``"str"``...), in catalogue order (its data attributes not)."""
    return tuple(b.method for b in ROWS if b.name.startswith(receiver + ".") and not b.attribute)


BUILTINS: tuple[str, ...] = tuple(b.name for b in ROWS if "." not in b.name and not b.module)

# Methods that change a list or dict in place that no target has (values are copied on the targets that
# copy, and a workflow's value may be shared on the others): the frontend refuses them, saying what to write.
IN_PLACE_REFUSED = frozenset(
    {"sort", "reverse", "insert", "update", "clear", "remove", "pop", "setdefault", "popitem"}
)
# Builtins a workflow may not call (PFC022): they inspect objects, do I/O or make types no target has.
BUILTINS_REFUSED = (
    "type",
    "print",
    "open",
    "input",
    "repr",
    "hash",
    "id",
    "getattr",
    "setattr",
    "map",
    "filter",
    "tuple",
    "chr",
    "ord",
)
