"""Evaluate JSONata offline with jsonata-python, as Step Functions evaluates it.

Step Functions runs JSONata 2.0.6 in JavaScript, where a string is a sequence of UTF-16 code units.
jsonata-python 0.7.1 runs on Python strings (code points) and differs from JavaScript in ways the generated
code can meet; the offline proof is only worth something where the two agree, so :func:`faithful` (a ``with``
block) and :func:`evaluate` make jsonata-python behave as JavaScript here:

- ``%`` is JavaScript's remainder (fmod); jsonata-python truncates it to an integer (``2.5 % 2`` gives 0).
- ``$split(s, "")`` splits into UTF-16 code units: an astral character (``"😀"``) becomes two lone surrogates.
- ``<``, ``<=``, ``>``, ``>=`` order strings by UTF-16 code units (``"😀" < "\\uffff"``).
- regular expressions run on UTF-16 code units (``.`` and ``[\\s\\S]`` match half an astral character;
  ``$match`` indexes count units) with JavaScript's classes: ``\\s`` (has U+FEFF, not U+001C-U+001F or
  U+0085), ``\\d`` / ``\\w`` / ``\\b`` ASCII only, ``.`` stops at U+2028/U+2029 and ``\\r``, ``$`` only at
  the very end.
- ``$number`` of a string accepts JSON-like numerals and ``0x``/``0o``/``0b`` only (not ``" 5"``, ``"+5"``,
  ``".5"``, ``"1_0"``).
- ``$replace(s, "a", "$0")`` with a string pattern inserts its replacement literally.
- ``$toMillis`` of an ISO timestamp is exact (JavaScript's ``Date``); jsonata-python truncates a float
  (``"...53.675Z"`` gives ``...53674``).
- ``$base64encode`` / ``$base64decode`` are Node's ``"binary"`` (latin-1) encoding: each UTF-16 code unit
  becomes its low byte, each byte a character (jsonata-python uses UTF-8).
- a regular expression that matches an empty string after the start of the string's matching loop
  (``$replace("ab", /x*/, "")``) is error D1004 in ``$match``, ``$replace`` and ``$split``; jsonata-python
  replaces the empty matches.
- ``$lowercase`` is ``toLowerCase`` (``str.lower``), not ``str.casefold`` (``"ß"`` stays ``"ß"``).
- ``$string`` writes non-ASCII characters as they are (``JSON.stringify``), not as ``\\u`` escapes.
- a string literal's escaped surrogate pair (``"\\ud83d\\ude00"``, as moto writes variable values) is one
  character, not two lone surrogates.

``$length``, ``$substring`` and ``$pad`` count code points in both (jsonata-js since 2018), as Python does.
``tests/aws/test_jsonata_js.py`` runs the same expressions on jsonata-js (Node.js) and checks that the two
agree; ``tests/aws/test_moto_canaries.py`` checks jsonata-python still needs the fixes. Step Functions' own
functions (``$uuid``, ``$parse``) are registered by :func:`evaluate`.
"""

from __future__ import annotations

import base64
import json
import math
import operator
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

# JavaScript's \s: WhiteSpace and LineTerminator (ECMA-262)
JS_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_JS_CLASSES_OUTSIDE = {
    "s": f"[{JS_SPACE}]",
    "S": f"[^{JS_SPACE}]",
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": "[A-Za-z0-9_]",
    "W": "[^A-Za-z0-9_]",
    "b": "(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))",
    "B": "(?:(?<=[A-Za-z0-9_])(?=[A-Za-z0-9_])|(?<![A-Za-z0-9_])(?![A-Za-z0-9_]))",
}
# inside [...]: \s, \d, \w as ranges; \S, \D, \W are classes of their own (see js_pattern)
_JS_CLASSES_INSIDE = {"s": JS_SPACE, "d": "0-9", "w": "A-Za-z0-9_"}
_JS_NEGATED_INSIDE = {"S": "s", "D": "d", "W": "w"}


def utf16_units(s: str) -> str:
    """``s`` with each astral character written as its two surrogates: one Python character per UTF-16
    code unit, as JavaScript sees the string."""
    if s.isascii():
        return s
    return "".join(
        c if ord(c) < 0x10000 else chr(0xD800 + ((ord(c) - 0x10000) >> 10)) + chr(0xDC00 + (ord(c) & 0x3FF))
        for c in s
    )


def code_points(s: str) -> str:
    """The inverse of :func:`utf16_units`: each surrogate pair becomes its character; lone surrogates stay."""
    if s.isascii():
        return s
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def js_pattern(pattern: str, multiline: bool) -> str:
    """A JavaScript regular expression (no ``u`` flag) as a Python one with the same meaning on a string
    of UTF-16 code units (:func:`utf16_units`)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            n = pattern[i + 1]
            out.append(_JS_CLASSES_OUTSIDE.get(n, c + n))
            i += 2
        elif c == "[":
            i = _js_class(pattern, i, out)
        elif c == ".":
            out.append("[^\\n\\r\\u2028\\u2029]")
            i += 1
        elif c == "$" and not multiline:
            out.append("\\Z")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _js_class(pattern: str, i: int, out: list[str]) -> int:
    """Translate the class starting at ``pattern[i]`` (``[``) onto ``out``; the index after it. A class
    holding \\S, \\D or \\W becomes an alternation (``[\\s\\S]``: any code unit)."""
    negated = pattern[i + 1 : i + 2] == "^"
    j = i + 2 if negated else i + 1
    body: list[str] = []
    extra: list[str] = []
    while j < len(pattern) and pattern[j] != "]":
        if pattern[j] == "\\" and j + 1 < len(pattern):
            n = pattern[j + 1]
            if n in _JS_NEGATED_INSIDE:
                extra.append(f"[^{_JS_CLASSES_INSIDE[_JS_NEGATED_INSIDE[n]]}]")
            else:
                body.append(_JS_CLASSES_INSIDE.get(n, pattern[j : j + 2]))
            j += 2
        else:
            body.append(pattern[j])
            j += 1
    if extra and negated:
        raise NotImplementedError(f"negated class with \\S, \\D or \\W in /{pattern}/")
    cls = f"[{'^' if negated else ''}{''.join(body)}]"
    if extra:
        out.append("(?:" + "|".join(([cls] if body else []) + extra) + ")")
    else:
        out.append(cls)
    return j + 1


class _JsMatch:
    """A match on the UTF-16 form whose texts are given back as Python strings (indexes stay in units)."""

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m

    def group(self, *args: Any) -> Any:
        g = self._m.group(*args)
        if isinstance(g, tuple):
            return tuple(None if x is None else code_points(x) for x in g)
        return None if g is None else code_points(g)

    def groups(self) -> tuple[str | None, ...]:
        return tuple(None if x is None else code_points(x) for x in self._m.groups())

    def groupdict(self) -> dict[str, str | None]:
        return {k: None if v is None else code_points(v) for k, v in self._m.groupdict().items()}

    def start(self, group: int = 0) -> int:
        return self._m.start(group)

    def end(self, group: int = 0) -> int:
        return self._m.end(group)


class JsPattern:
    """A compiled JavaScript regular expression: matches the UTF-16 code units of the strings it is given."""

    def __init__(self, pattern: str, flags: int, multiline: bool) -> None:
        self._re = re.compile(js_pattern(pattern, multiline), flags)
        self._source = pattern

    def _matches(self, units: str) -> Iterator[re.Match[str]]:
        """jsonata-js's matching loop (``$match``, ``$replace``, ``$split``, once for ``$contains``): after a
        match, the next is searched from where it ended unless that is the end of the string; a next match of
        zero length (which would never progress) is error D1004, also when the first match was empty."""
        from jsonata import jexception  # type: ignore[import-untyped]

        m = self._re.search(units)
        while m is not None:
            yield m
            if m.end() >= len(units):
                return
            m = self._re.search(units, m.end())
            if m is not None and m.end() == m.start():
                raise jexception.JException("D1004", -1, self._source)

    def _progress(self, units: str, limit: int) -> None:
        """Raise D1004 where jsonata-js would, taking ``limit`` matches (0: all) and looking for one more."""
        for taken, _ in enumerate(self._matches(units), 1):
            if limit and taken >= limit + 1:
                return

    def search(self, string: str) -> _JsMatch | None:
        m = self._re.search(utf16_units(string))
        return None if m is None else _JsMatch(m)

    def finditer(self, string: str) -> Iterator[_JsMatch]:
        for m in self._matches(utf16_units(string)):
            yield _JsMatch(m)

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        self._progress(utf16_units(string), count)
        if callable(repl):
            fn: Callable[[_JsMatch], str] = repl
            out = self._re.sub(lambda m: utf16_units(fn(_JsMatch(m))), utf16_units(string), count)
        else:
            out = self._re.sub(repl, utf16_units(string), count)
        return code_points(out)

    def split(self, string: str, maxsplit: int = 0) -> list[str | None]:
        self._progress(utf16_units(string), maxsplit)
        return [None if p is None else code_points(p) for p in self._re.split(utf16_units(string), maxsplit)]


def js_regex_engine(pattern: str, flags: Any) -> JsPattern:
    """jsonata-python's ``regex_engine`` hook: JavaScript's regular expressions (see the module docstring)."""
    py_flags = (re.IGNORECASE if flags.case_insensitive else 0) | (re.MULTILINE if flags.multiline else 0)
    return JsPattern(pattern, py_flags, bool(flags.multiline))


# the strings JavaScript's $number accepts (anything else is error D3030)
_JS_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?\Z")
_JS_RADIX_NUMBER = re.compile(r"0([xX][0-9A-Fa-f]+|[oO][0-7]+|[bB][01]+)\Z")
_ORDER: dict[str, Callable[[bytes, bytes], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _utf16_key(s: str) -> bytes:
    return s.encode("utf-16-be", "surrogatepass")


def _json_stringify(arg: Any, prettify: bool) -> str:
    """jsonata-python's ``$string`` of a non-string, without escaping non-ASCII (as ``JSON.stringify``)."""
    from jsonata import jsonata, parser
    from jsonata.functions import Functions  # type: ignore[import-untyped]

    if isinstance(arg, (jsonata.Jsonata.JFunction, parser.Parser.Symbol)):
        return ""
    text = json.dumps(
        arg,
        cls=Functions.Encoder,
        ensure_ascii=False,
        **({"indent": "  "} if prettify else {"separators": (",", ":")}),
    )
    # JSON.stringify escapes lone surrogates (well-formed JSON.stringify)
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", code_points(text))


@contextmanager
def faithful() -> Iterator[None]:
    """Make jsonata-python's operators and functions JavaScript's, as on AWS (see the module docstring)."""
    import jsonata
    from jsonata import functions, tokenizer, utils

    numeric_original = jsonata.Jsonata.evaluate_numeric_expression
    comparison_original = jsonata.Jsonata.evaluate_comparison_expression
    create_original = tokenizer.Tokenizer.create

    def numeric(self: Any, lhs: Any, rhs: Any, op: Any) -> Any:
        if op == "%" and utils.Utils.is_numeric(lhs) and utils.Utils.is_numeric(rhs):
            if float(rhs) == 0:
                raise ZeroDivisionError("float modulo")
            return utils.Utils.convert_number(math.fmod(float(lhs), float(rhs)))
        return numeric_original(self, lhs, rhs, op)

    def comparison(self: Any, lhs: Any, rhs: Any, op: Any) -> Any:
        if isinstance(lhs, str) and isinstance(rhs, str) and op in _ORDER:
            return _ORDER[op](_utf16_key(lhs), _utf16_key(rhs))
        return comparison_original(self, lhs, rhs, op)

    def create(self: Any, type_: Any, value: Any) -> Any:
        if type_ == "string" and isinstance(value, str):
            value = code_points(value)
        return create_original(self, type_, value)

    split_original = functions.Functions.split

    def split(string: Any, pattern: Any, limit: Any) -> Any:
        if isinstance(string, str) and pattern == "":
            return split_original(utf16_units(string), pattern, limit)
        return split_original(string, pattern, limit)

    replace_original = functions.Functions.replace

    def replace(string: Any, pattern: Any, replacement: Any, limit: Any) -> Any:
        texts = all(isinstance(x, str) for x in (string, pattern, replacement))
        if texts and pattern and limit is None:  # a string pattern's replacement is literal ("$0" stays)
            return string.replace(pattern, replacement)
        return replace_original(string, pattern, replacement, limit)

    number_original = functions.Functions.number

    def number(arg: Any) -> Any:
        if isinstance(arg, str):
            if _JS_NUMBER.match(arg):
                return utils.Utils.convert_number(float(arg))
            if _JS_RADIX_NUMBER.match(arg):
                return int(arg[2:], {"x": 16, "o": 8, "b": 2}[arg[1].lower()])
            raise jsonata.JException("D3030", -1, arg)
        return number_original(arg)

    def lowercase(string: Any) -> Any:
        if string is utils.Utils.NULL_VALUE:
            return functions.Functions.lowercase(string)  # its error
        return None if string is None else string.lower()

    def base64encode(string: Any) -> Any:
        if not isinstance(string, str):
            return functions.Functions.base64encode(string)  # undefined, or its error
        return base64.b64encode(bytes(ord(u) & 0xFF for u in utf16_units(string))).decode()

    def base64decode(string: Any) -> Any:
        if not isinstance(string, str):
            return functions.Functions.base64decode(string)
        return base64.b64decode(string + "=" * (-len(string) % 4)).decode("latin-1")

    frame = jsonata.Jsonata.static_frame
    to_millis_original = frame.lookup("toMillis").method
    sort_original = frame.lookup("sort").method

    def sort(arr: Any, comparator: Any) -> Any:
        """jsonata-js's merge sort: a tie keeps its order (jsonata-python's sort reverses ties)."""
        if comparator is None or arr is None or len(arr) <= 1:
            return sort_original(arr, comparator)
        swap = functions.Functions.Comparator(comparator)._comparator

        def msort(xs: list[Any]) -> list[Any]:
            if len(xs) <= 1:
                return xs
            left, right = msort(xs[: len(xs) // 2]), msort(xs[len(xs) // 2 :])
            out: list[Any] = []
            i = j = 0
            while i < len(left) and j < len(right):
                if functions.Functions.func_apply(swap, [left[i], right[j]]):  # true: the right one first
                    out.append(right[j])
                    j += 1
                else:
                    out.append(left[i])
                    i += 1
            return out + left[i:] + right[j:]

        return msort(list(arr))

    def to_millis(timestamp: str | None, picture: str | None) -> int | None:
        if timestamp is None or picture is not None or timestamp.isdigit():
            return to_millis_original(timestamp, picture)  # type: ignore[no-any-return]
        when = datetime.fromisoformat(timestamp)
        when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        return (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)

    with ExitStack() as stack:
        for target, name, new in [
            (jsonata.Jsonata, "evaluate_numeric_expression", numeric),
            (jsonata.Jsonata, "evaluate_comparison_expression", comparison),
            (tokenizer.Tokenizer, "create", create),
            (functions.Functions, "_string", staticmethod(_json_stringify)),
            (frame.lookup("split"), "method", split),
            (frame.lookup("lowercase"), "method", lowercase),
            (frame.lookup("replace"), "method", replace),
            (frame.lookup("number"), "method", number),
            (frame.lookup("toMillis"), "method", to_millis),
            (frame.lookup("sort"), "method", sort),
            (frame.lookup("base64encode"), "method", base64encode),
            (frame.lookup("base64decode"), "method", base64decode),
        ]:
            stack.enter_context(mock.patch.object(target, name, new))
        yield


def evaluate(expression: str) -> Any:
    """The value of a complete JSONata expression (no input), JSON-decoded; regular expressions are
    JavaScript's (:func:`js_regex_engine`)."""
    import jsonata

    expr = jsonata.Jsonata(expression, js_regex_engine)
    expr.register_lambda("uuid", lambda: str(uuid.uuid4()))
    expr.register_lambda("parse", lambda text: json.loads(text))
    return json.loads(json.dumps(expr.evaluate(None)))
