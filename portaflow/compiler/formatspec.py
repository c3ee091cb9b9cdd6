"""Python's format mini-language, parsed once for every target (docs/dsl.md, "Format specs").

``[[fill]align][sign][z][#][0][width][grouping][.precision][type]`` (CPython 3.11's
``parse_internal_render_format_spec``). The frontend parses each static spec of an f-string field,
``format(x, spec)`` or ``str.format`` here and refuses one that Python rejects for the field's type; every
backend reads the fields of :class:`FormatSpec`, and :func:`python_error` names, for each run-time type, the
exception Python raises (so a target that learns a value's type at run time raises it with CPython's message,
with no validation of its own).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

Kind = Literal["str", "int", "float", "object"]  # how a type formats: str/int (bool too)/float, or object

ALIGNS = "<>=^"
INT_TYPES = "bcdoxXn"
FLOAT_TYPES = "eEfFgG%"
# the presentation types each kind takes; "" is the kind's default
TYPES: dict[Kind, str] = {
    "str": "s",
    "int": INT_TYPES + FLOAT_TYPES,
    "float": FLOAT_TYPES + "n",
    "object": "",
}
DEFAULT_TYPE: dict[Kind, str] = {"str": "s", "int": "d", "float": "", "object": ""}


class SpecError(ValueError):
    """A spec no type accepts; ``template`` is Python's message, ``{type}`` standing for the type's name."""

    def __init__(self, template: str) -> None:
        super().__init__(template)
        self.template = template

    def message(self, type_name: str) -> str:
        return self.template.replace("{type}", type_name)


@dataclass(frozen=True)
class FormatSpec:
    """The fields of one spec, as written (``fill``, ``width``, ``precision``: None where not given)."""

    text: str
    fill: str | None = None
    align: str = ""
    sign: str = ""
    z: bool = False
    alt: bool = False
    zero: bool = False  # the 0 before the width: fill "0", and "=" alignment for numbers
    width: int | None = None
    grouping: str = ""  # "", "," or "_"
    precision: int | None = None
    type: str = ""

    def layout(self, kind: Kind) -> tuple[str, str]:
        """(fill character, alignment) once the 0 flag and the kind's default alignment are applied."""
        number = kind in ("int", "float")
        fill = self.fill if self.fill is not None else "0" if self.zero else " "
        align = self.align or ("=" if self.zero and number else ">" if number else "<")
        return fill, align

    def group_size(self) -> int:
        """Digits per group: 4 for ``_`` in binary, octal and hex, else 3."""
        return 4 if self.grouping == "_" and self.type != "" and self.type in "boxX" else 3


def _code(ch: str) -> str:
    """A presentation type as CPython's messages print it (``\\x0`` for a control character)."""
    return ch if 32 < ord(ch) < 128 else f"\\x{ord(ch):x}"


@functools.lru_cache(maxsize=512)
def parse(text: str) -> FormatSpec:
    """The fields of ``text``; :class:`SpecError` where Python rejects it for every type it formats."""
    n, pos = len(text), 0
    fill: str | None = None
    align = ""
    if n >= 2 and text[1] in ALIGNS:
        fill, align, pos = text[0], text[1], 2
    elif n >= 1 and text[0] in ALIGNS:
        align, pos = text[0], 1
    sign = ""
    if pos < n and text[pos] in "+- ":
        sign, pos = text[pos], pos + 1
    z = pos < n and text[pos] == "z"
    pos += z
    alt = pos < n and text[pos] == "#"
    pos += alt
    zero = fill is None and pos < n and text[pos] == "0"
    pos += zero
    width, pos = _integer(text, pos)
    grouping = ""
    if pos < n and text[pos] == ",":
        grouping, pos = ",", pos + 1
    if pos < n and text[pos] == "_":
        if grouping:
            raise SpecError("Cannot specify both ',' and '_'.")
        grouping, pos = "_", pos + 1
    if pos < n and text[pos] == "," and grouping == "_":
        raise SpecError("Cannot specify both ',' and '_'.")
    precision = None
    if pos < n and text[pos] == ".":
        precision, pos = _integer(text, pos + 1)
        if precision is None:
            raise SpecError("Format specifier missing precision")
    if n - pos > 1:
        raise SpecError(f"Invalid format specifier '{text}' for object of type '{{type}}'")
    kind = text[pos] if pos < n else ""
    return FormatSpec(text, fill, align, sign, z, alt, zero, width, grouping, precision, kind)


def _integer(text: str, pos: int) -> tuple[int | None, int]:
    start = pos
    while pos < len(text) and text[pos].isdecimal():
        pos += 1
    return (int(text[start:pos]) if pos > start else None), pos


def kind_of(type_name: str) -> Kind:
    """How a value of Python type ``type_name`` formats (a bool as an int)."""
    if type_name in ("int", "bool"):
        return "int"
    if type_name in ("str", "float"):
        return "str" if type_name == "str" else "float"
    return "object"


def python_error(text: str, type_name: str, kind: Kind | None = None) -> tuple[str, str] | None:
    """(exception class, message) that ``format(x, text)`` raises for an ``x`` of Python type
    ``type_name`` (``"str"``, ``"int"``, ``"bool"``, ``"float"``, ``"NoneType"``, ``"list"``...; ``kind``
    its kind where the name is a placeholder), in CPython 3.11's order of checks; None where Python formats
    it."""
    kind = kind or kind_of(type_name)
    if kind == "object":
        return ("TypeError", f"unsupported format string passed to {type_name}.__format__") if text else None
    try:
        spec = parse(text)
    except SpecError as exc:
        return "ValueError", exc.message(type_name)
    ty = spec.type or DEFAULT_TYPE[kind]
    if spec.grouping and not (ty in "defgEGF%" or (ty in "boxX" and spec.grouping == "_")):
        return "ValueError", f"Cannot specify '{spec.grouping}' with '{_code(ty)}'."
    if ty and ty not in TYPES[kind]:
        return "ValueError", f"Unknown format code '{_code(ty)}' for object of type '{type_name}'"
    message = _kind_error(spec, kind, ty)
    return ("ValueError", message) if message else None


def _kind_error(spec: FormatSpec, kind: Kind, ty: str) -> str | None:
    if kind == "str":
        if spec.sign:
            return f"{'Space' if spec.sign == ' ' else 'Sign'} not allowed in string format specifier"
        if spec.z:
            return "Negative zero coercion (z) not allowed in string format specifier"
        if spec.alt:
            return "Alternate form (#) not allowed in string format specifier"
        if spec.layout(kind)[1] == "=":
            return "'=' alignment not allowed in string format specifier"
    if kind == "int" and ty in INT_TYPES:
        if spec.precision is not None:
            return "Precision not allowed in integer format specifier"
        if spec.z:
            return "Negative zero coercion (z) not allowed in integer format specifier"
        if ty == "c" and spec.sign:
            return "Sign not allowed with integer format specifier 'c'"
        if ty == "c" and spec.alt:
            return "Alternate form (#) not allowed with integer format specifier 'c'"
    return None


def errors(text: str) -> dict[Kind, tuple[str, str]]:
    """The errors of ``text`` by kind, for a value whose type is known only at run time: ``{type}`` in a
    message stands for the value's Python type name, which the target fills in (``int`` or ``bool``)."""
    out: dict[Kind, tuple[str, str]] = {}
    kinds: tuple[Kind, ...] = ("str", "int", "float", "object")
    for kind in kinds:
        err = python_error(text, "{type}", kind)
        if err is not None:
            out[kind] = err
    return out
