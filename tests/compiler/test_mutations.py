"""The frontend's lowering of the methods that change a list or dict in place (frontend/mutations.py): the
checks Python makes, in its order, then an in-place Assign of the new contents; an item's change made on a
part temporary that is stored back; PFC041 where a copying target could lose the change; PFC090 inside an
expression. Their results on every target are the conformance scenarios s280-s284."""

from __future__ import annotations

import textwrap

import pytest

from portaflow.compiler import aliasing, ir
from portaflow.compiler.frontend import compile_source
from portaflow.compiler.ir.serial import from_json, to_json

HEAD = (
    "from portaflow import Context, step, workflow\n\n"
    "@step\ndef fetch() -> int:\n    return 1\n\n"
    "@workflow\ndef w(ctx: Context, items: list, d: dict, n: int = 0):\n"
)


def body(code: str) -> tuple[ir.Stmt, ...]:
    src = HEAD + textwrap.indent(textwrap.dedent(code).strip() + "\n", "    ")
    res = compile_source(src, "w.py")
    assert res.program is not None and not res.errors, [e.render() for e in res.errors]
    assert from_json(to_json(res.program)) == res.program
    assert res.program.ir_version == 7
    return res.program.workflows["w"].body


def pfc041(code: str) -> list[str]:
    src = HEAD + textwrap.indent(textwrap.dedent(code).strip() + "\n", "    ")
    res = compile_source(src, "w.py")
    assert res.program is not None and not res.errors, [e.render() for e in res.errors]
    return [d.message for d in aliasing.check(res.program, "Step Functions")]


def kinds(stmts: tuple[ir.Stmt, ...]) -> list[str]:
    return [s.kind for s in stmts]


def test_setdefault_then_append_checks_sets_changes_the_item_and_stores_it_back() -> None:
    groups, k, x = "groups = {}", 'd["k"]', "n"
    stmts = body(f"{groups}\ngroups.setdefault({k}, []).append({x})\nreturn groups")[1:-1]
    # setdefault's key and default kept once (a dict: no lookup check), missing -> set, the item taken, its
    # append looked up (a list?), the change, the item stored back
    assert kinds(stmts) == ["assign", "assign", "if", "assign", "if", "assign", "set_item"]
    key, _, missing, part, check, change, store = stmts
    assert isinstance(key, ir.Assign) and isinstance(key.value, ir.Subscript)
    assert isinstance(missing, ir.If) and isinstance(missing.body[0], ir.SetItem)
    assert isinstance(part, ir.Assign) and isinstance(part.target, ir.NameTarget)
    assert part.target.id.startswith("%part")
    assert isinstance(check, ir.If) and isinstance(check.body[0], ir.Raise)
    assert check.body[0].error_type == "AttributeError"
    assert isinstance(change, ir.Assign) and change.in_place and change.method == "append"
    assert isinstance(store, ir.SetItem) and store.target == "groups"
    assert store.value == ir.Name(part.target.id, "any")


def test_a_local_list_method_has_no_check_and_its_value_is_the_popped_item() -> None:
    stmts = body("xs = [1, 2]\nlast = xs.pop()\nreturn last")
    assert kinds(stmts) == ["assign", "if", "assign", "assign", "assign", "return"]
    empty = stmts[1]
    assert isinstance(empty, ir.If) and isinstance(empty.body[0], ir.Raise)
    assert empty.body[0].message == ir.Const("pop from empty list", "str")
    change, bound = stmts[3], stmts[4]
    assert isinstance(change, ir.Assign) and change.in_place and change.method == "pop"
    assert change.value.ty == "list"
    assert isinstance(bound, ir.Assign) and bound.target == ir.NameTarget("last")


def test_sort_is_sorted_of_the_receiver_with_its_key_and_reverse() -> None:
    [_, change, _] = body("xs = [3, 1]\nxs.sort(key=abs, reverse=True)\nreturn xs")
    assert isinstance(change, ir.Assign) and change.method == "sort"
    assert isinstance(change.value, ir.Call) and change.value.func == "sorted"
    assert [k for k, _ in change.value.kwargs] == ["key", "reverse"]
    assert isinstance(change.value.kwargs[0][1], ir.Lambda)


def test_arguments_are_evaluated_once_after_the_receiver_check_a_step_first() -> None:
    stmts = body("xs = d['xs']\nxs.insert(n + 1, fetch())\nreturn xs")
    assert kinds(stmts[1:-1]) == ["if", "assign", "step_call", "assign"]  # n + 1 is an int: no check
    assert isinstance(stmts[1], ir.If)  # .insert looked up (a list?) before the arguments


def test_nested_assignment_and_del_change_a_part() -> None:
    stmts = body("grid = [[0], [0]]\ngrid[1][0] = n\ndel grid[0][0]\nreturn grid")
    sets = [s for s in stmts if isinstance(s, ir.SetItem)]
    assert [s.target.startswith("%part") for s in sets] == [True, False, False]


@pytest.mark.parametrize(
    "code",
    [
        "groups = {}\ngroups.setdefault(d['k'], []).append(1)\nreturn groups",
        "cfg = {'tags': []}\ncfg['tags'].append(n)\ncfg['tags'].sort()\nreturn cfg",
        "stats = {'a': {'n': 0}}\nstats['a']['n'] += 1\nreturn stats",
        "d['xs'].append(1)\nreturn d",  # a parameter: decoded from JSON, no other name holds its items
        "first = items.pop(0)\nfirst['done'] = True\nreturn [first, items]",  # the item left the list
    ],
)
def test_an_item_reachable_through_its_dict_alone_may_change_in_place(code: str) -> None:
    assert pfc041(code) == []


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("x = d['k']\nd['k'].append(1)\nreturn x", "an item of `d` is changed in place"),
        ("e = dict(d)\ne['k'].append(1)\nreturn e", "an item of `e` is changed in place"),
        ("inner = []\nh = {'k': inner}\nh['k'].append(1)\nreturn inner", "an item of `h`"),
        ("for v in d.values():\n    d['k'].append(1)", "an item of `d`"),
        ("ys = items\nys.sort()\nreturn items", "`ys = items` at line"),
    ],
)
def test_an_item_another_name_may_hold_is_pfc041(code: str, says: str) -> None:
    found = pfc041(code)
    assert len(found) == 1 and says in found[0], found


def test_a_changing_method_inside_an_expression_is_pfc090() -> None:
    res = compile_source(HEAD + "    xs = [1]\n    total = n + xs.pop()\n    return total\n", "w.py")
    [err] = res.errors
    assert err.code == "PFC090" and "value = xs.pop()" in err.hint
