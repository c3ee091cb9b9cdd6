"""Format specs on Step Functions: Python's mini-language (the fields of ``portaflow.compiler.formatspec``)
as JSONata helpers, and the specs refused here (PFC040).

Exact: every str spec (fill, alignment, width and precision in code points), every int spec (``d x X o b``
with ``#``, sign, ``,`` / ``_`` grouping, zero padding with CPython's separators in the zeros), and floats
(or ints) with ``f``, ``F`` and ``%`` (``round``'s exact binary rounding, docs/dsl.md, "Target differences
(AWS)") or no type and no precision (``str()``'s text). Refused: ``e``, ``E``, ``g``, ``G``, and no type
with a precision, of a value that may be a float: their significant digits would take a correctly rounded
decimal conversion JSONata does not have (``$formatNumber`` rounds the decimal text, not the binary value).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from portaflow.compiler import formatspec, ir
from portaflow.compiler.diagnostics import Diagnostic

from .jsonata import HELPERS

if TYPE_CHECKING:
    from .jsonata import Lowerer

HELPERS.update(
    {
        # the digits $d in groups of $g with separator $sep, and "0"s in front up to $w characters (the
        # separators count, none leads: CPython's _PyUnicode_InsertThousandsGrouping, "0,001,234")
        "pf_fmtgroup": (
            'function($d, $g, $sep, $w){($n := $length($d); $sep = "" ? $pad($d, -$max([$w, 1]), "0") : '
            "($l := $min([$g, $max([$n, $w, 1])]); $c := $min([$n, $l]); "
            '$piece := $pf_rep("0", $l - $c) & $substring($d, $n - $c); '
            "($n - $c <= 0 and $w - $l <= 0) ? $piece : "
            "$pf_fmtgroup($substring($d, 0, $n - $c), $g, $sep, $w - $l - $length($sep)) & $sep & $piece))}",
            ("pf_rep",),
        ),
        # $h & $t filled with $f to $w code points: $a "<", ">", "^" (the odd one on the right), "=" (after
        # $h)
        "pf_fmtpad": (
            "function($t, $h, $w, $f, $a){($n := $w - $length($h) - $length($t); $n <= 0 ? $h & $t : "
            '$a = "=" ? $h & $pf_rep($f, $n) & $t : ($l := $a = ">" ? $n : $a = "^" ? $floor($n / 2) : 0; '
            "$pf_rep($f, $l) & $h & $t & $pf_rep($f, $n - $l)))}",
            ("pf_rep",),
        ),
        # a number: sign, prefix $p, digits $d grouped, the rest $r (point, fraction, %), laid out by spec $s
        "pf_fmtnum": (
            'function($neg, $p, $d, $r, $s){($h := ($neg ? "-" : $s.sign = "+" ? "+" : $s.sign = " " ? " " : '
            '"") & $p; $m := $s.num[0] = "0" and $s.num[1] = "=" ? $s.width - $length($h) - $length($r) : 0; '
            '$pf_fmtpad(($d = "" ? "" : $pf_fmtgroup($d, $s.group, $s.grouping, $m)) & $r, $h, $s.width, '
            "$s.num[0], $s.num[1]))}",
            ("pf_fmtgroup", "pf_fmtpad"),
        ),
        "pf_fmtstr": (
            'function($t, $s){$pf_fmtpad($s.precision = null ? $t : $substring($t, 0, $s.precision), "", '
            "$s.width, $s.str[0], $s.str[1])}",
            ("pf_fmtpad",),
        ),
        # the decimal digits of an integral $n >= 0: exact below 2**53 (JavaScript's above, docs/dsl.md)
        "pf_digits": ("function($n){$n < 1e21 ? $formatBase($n, 10) : $string($n)}", ()),
        # an int (d, b, o, x, X)
        "pf_fmtint": (
            'function($n, $s){($t := $s.type; $b := $t = "b" ? 2 : $t = "o" ? 8 : $t = "x" or $t = "X" ? '
            "16 : 10; $d := $formatBase($abs($n), $b); "
            '$pf_fmtnum($n < 0, $s.alt and $b != 10 ? "0" & $t : "", $t = "X" ? $uppercase($d) : $d, "", '
            "$s))}",
            ("pf_fmtnum",),
        ),
        # the text of $x >= 0 with $n <= 15 decimals, its exact binary value rounded half to even: the
        # integer part $i is exact below 2**53, the fraction $f = $x - $i too, and $f * 10^n = $y + $e exactly
        # (Dekker's product, as pf_round), so the side of the midpoint is exact; a tie goes to the even digit
        "pf_fixed": (
            "function($x, $n){($i := $floor($x); $f := $x - $i; $p := $power(10, $n); $y := $f * $p; "
            "$s := function($a){($c := 134217729 * $a; $h := $c - ($c - $a); [$h, $a - $h])}; "
            "$a := $s($f); $b := $s($p); "
            "$e := (($a[0] * $b[0] - $y) + $a[0] * $b[1] + $a[1] * $b[0]) + $a[1] * $b[1]; "
            "$q := $floor($y); $d := ($y - $q - 0.5) + $e; "
            "$odd := $n = 0 ? $i % 2 = 1 : $q % 2 = 1; $q := $d > 0 or ($d = 0 and $odd) ? $q + 1 : $q; "
            "$i := $q = $p ? $i + 1 : $i; $q := $q = $p ? 0 : $q; "
            '$pf_digits($i) & ($n = 0 ? "" : "." & $pad($formatBase($q, 10), -$n, "0")))}',
            ("pf_digits",),
        ),
        # a float (or an int as a float) with f, F, % (pf_fixed) or no type (str()'s text); z drops the sign
        # of
        # a result that rounds to zero
        "pf_fmtfloat": (
            "function($x, $s){($t := $s.type; $p := $s.precision; "
            '$body := $t = "" ? $pf_floatstr($abs($x)) : '
            '$pf_fixed($t = "%" ? $abs($x * 100) : $abs($x), $p) & ($s.alt and $p = 0 ? "." : "") & '
            '($t = "%" ? "%" : ""); $m := $match($body, /^([0-9]*)(.*)$/)[0]; '
            '$pf_fmtnum($x < 0 and $not($s.z and $contains($body, /^[0.]*%?$/)), "", $m.groups[0], '
            "$m.groups[1], $s))}",
            ("pf_fmtnum", "pf_floatstr", "pf_fixed"),
        ),
        # a value whose type is known at run time only: Python's exception for its kind, else its format
        "pf_fmt": (
            'function($v, $s){($t := $type($v); $k := $t = "string" ? "str" : $t = "boolean" ? "int" : '
            '$t = "number" ? ($v = $floor($v) ? "int" : "float") : "object"; $e := $lookup($s.errors, $k); '
            '$e ? $pf_raise($e[0], $replace($e[1], "{type}", $pf_tname($v))) : '
            '$k = "str" ? $pf_fmtstr($v, $s) '
            ': $k = "float" or $s.float ? $pf_fmtfloat($pf_num($v), $s) : $pf_fmtint($pf_num($v), $s))}',
            ("pf_raise", "pf_tname", "pf_fmtstr", "pf_fmtfloat", "pf_fmtint", "pf_num"),
        ),
    }
)

_FLOAT_TYPES = "eEfFgG%"
_MAX_DECIMALS = 15  # 10**n * (a fraction) stays below 2**52: pf_fixed's product is exact


def spec_object(p: ir.FormattedValue) -> str:
    """The helpers' spec: every field, defaults written out (JSONata has no undefined arithmetic)."""
    f = p.format
    ty = f.type
    fields: dict[str, object] = {
        "type": ty,
        "sign": f.sign,
        "z": f.z,
        "alt": f.alt,
        "width": f.width or 0,
        "grouping": f.grouping,
        "group": f.group_size(),
        "precision": f.precision if f.precision is not None else 6 if ty in ("f", "F", "%") else None,
        "str": list(f.layout("str")),
        "num": list(f.layout("int")),
        "float": ty != "" and ty in _FLOAT_TYPES,
    }
    if p.value.ty == "any" and p.conversion == "":
        fields["errors"] = {k: list(v) for k, v in formatspec.errors(p.spec).items()}
    return json.dumps(fields, ensure_ascii=True, separators=(", ", ": "))


def formatted(low: Lowerer, p: ir.FormattedValue, text: str | None) -> str:
    """``format(value, spec)``; ``text``: the value's !r / !s text where a conversion made one."""
    if inexact(p):
        raise ValueError(f"format spec {p.spec!r} of a float: refused on Step Functions (PFC040)")
    spec = spec_object(p)
    ty = "str" if text is not None else p.value.ty
    if ty == "str":
        return f"{low.h('pf_fmtstr')}({text if text is not None else low.lower(p.value)}, {spec})"
    if ty in ("int", "bool"):
        helper = "pf_fmtfloat" if p.format.type and p.format.type in _FLOAT_TYPES else "pf_fmtint"
        return f"{low.h(helper)}({low.num(p.value)}, {spec})"
    if ty == "float":
        return f"{low.h('pf_fmtfloat')}({low.num(p.value)}, {spec})"
    return f"{low.h('pf_fmt')}({low.lower(p.value)}, {spec})"


def inexact(p: ir.FormattedValue) -> bool:
    """A spec whose digits of a float Step Functions cannot give exactly (the module's docstring), or the
    type ``c`` of a value that may be an int (JSONata has no character of a code point)."""
    f = p.format
    if not p.spec or p.conversion or p.value.ty == "str":
        return False
    if f.type == "c":
        return True
    significant = (f.type != "" and f.type in "eEgG") or (f.type == "" and (f.precision is not None or f.alt))
    many_decimals = f.type != "" and f.type in "fF%" and (f.precision or 6) > _MAX_DECIMALS
    may_be_float = p.value.ty in ("float", "any")
    return (significant or (many_decimals and may_be_float)) and formatspec.python_error(
        p.spec, "float"
    ) is None


def format_refusals(program: ir.Program) -> list[Diagnostic]:
    """PFC040 for every field whose spec :func:`inexact` says differs, one per statement."""
    out: list[Diagnostic] = []
    for wf in program.workflows.values():
        source = wf.source or program.source
        for stmt in ir.walk_stmts(wf.body):
            for p in _fields(stmt):
                if inexact(p) and p.format.type == "c":
                    out.append(
                        Diagnostic(
                            "PFC040",
                            f"format spec {p.spec!r}: the type c (a character from its code point) has no "
                            "lowering on Step Functions (JSONata has no chr)",
                            source,
                            stmt.loc.line,
                            stmt.loc.col,
                            "build the character's text in a @step",
                        )
                    )
                    break
                if inexact(p):
                    out.append(
                        Diagnostic(
                            "PFC040",
                            f"format spec {p.spec!r} of {_WHAT.get(p.value.ty, 'a value')} cannot give "
                            "Python's digits on Step "
                            "Functions: "
                            "JSONata has no correctly rounded conversion to significant digits (its "
                            "$formatNumber rounds the decimal text)",
                            source,
                            stmt.loc.line,
                            stmt.loc.col,
                            'use the f or % type (exact: f"{x:.3f}", f"{x:.1%}"), or format the value in '
                            "a @step",
                        )
                    )
                    break
    return out


_WHAT = {"float": "a float", "int": "an int (as a float)", "bool": "a bool (as a float)"}
_WHAT.update(any="a value that may be a float (its type is known at run time only: str() a text first)")


def _fields(stmt: ir.Stmt) -> Iterator[ir.FormattedValue]:
    for node in ir.own_nodes(stmt):
        if isinstance(node, ir.FString):
            yield from (p for p in node.parts if isinstance(p, ir.FormattedValue))
