"""PF102: randomness in workflow code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules._fixes import context_fix, template
from portaflow.lint.rules.base import Invalid, Report, Rule, arg_or_none, short

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

# constructors that are deterministic when given a seed: qualified name -> (argument index, keyword)
_SEEDABLE = {
    "random.Random": (0, "x"),
    "numpy.random.default_rng": (0, "seed"),
    "numpy.random.RandomState": (0, "seed"),
    "numpy.random.SeedSequence": (0, "entropy"),
    "numpy.random.Generator": (0, "bit_generator"),
    "numpy.random.PCG64": (0, "seed"),
    "numpy.random.PCG64DXSM": (0, "seed"),
    "numpy.random.MT19937": (0, "seed"),
    "numpy.random.Philox": (0, "seed"),
    "numpy.random.SFC64": (0, "seed"),
}
_GENERATOR_INSTANCES = (
    "random.Random().",
    "numpy.random.default_rng().",
    "numpy.random.RandomState().",
    "numpy.random.Generator().",
)
_HELP = "use `ctx.random()`, or a generator seeded from it: `random.Random(ctx.random())`"


class Randomness(Rule):
    code = "PF102"
    name = "randomness"
    summary = (
        "Draws random numbers: `random.*` functions, `random.Random()` or a NumPy generator without "
        "a fixed seed, "
        "`random.SystemRandom`, `secrets.*`, `os.urandom`, `numpy.random.*`, and methods of a "
        "generator kept in a "
        "module-level variable (its state is shared between runs)."
    )
    why = (
        "Each replay draws new numbers, so a choice made from them (a branch, a sample, an id, a "
        "retry jitter) "
        "differs from the recorded run and the replay diverges from the history. `ctx.random()` is "
        "recorded once "
        "and returns the same value on every replay; a `random.Random(seed)` created inside the "
        "workflow from a "
        "fixed or recorded seed is deterministic too."
    )
    replacement = _HELP
    fix_description = (
        "`random.random()` becomes `ctx.random()` and an unseeded `random.Random()` becomes "
        "`random.Random(ctx.random())`, where the workflow's Context is in scope. Other calls need a person: "
        "derive them from `ctx.random()` or a generator seeded from it."
    )
    USE_INSTEAD = """\
import random
from portaflow import workflow

@workflow
def pick_reviewer(ctx, reviewers: list) -> str:
    rng = random.Random(ctx.random())
    return rng.choice(reviewers)
"""
    VALID = (
        """\
from portaflow import workflow

@workflow
def wf(ctx, items: list):
    if ctx.random() < 0.5:
        return items[0]
    return None
""",
        # a seeded generator created in the workflow is deterministic
        """\
import random
import numpy as np
from portaflow import workflow

@workflow
def wf(ctx, items: list, seed: int):
    rng = random.Random(seed)
    gen = np.random.default_rng(42)
    rng.shuffle(items)
    return items, gen.integers(0, 10)
""",
        # a local variable named random shadows the module
        """\
from portaflow import workflow

@workflow
def wf(ctx, choices):
    random = choices
    return random.random()
""",
        # steps may draw random numbers
        """\
import random
import secrets
from portaflow import step, workflow

@step
def make_token() -> str:
    return secrets.token_hex(8) + str(random.random())

@workflow
def wf(ctx):
    return make_token()
""",
        # math, statistics and a generator passed in as a parameter are fine
        """\
import math
import random
from portaflow import workflow

def jitter(rng: random.Random, base: float) -> float:
    return base + rng.uniform(0, 1) * math.sqrt(base)

@workflow
def wf(ctx, base: float):
    return jitter(random.Random(7), base)
""",
    )
    INVALID = (
        Invalid(
            """\
import random
from portaflow import workflow

@workflow
def pick_reviewer(ctx, reviewers: list) -> str:
    return random.choice(reviewers)
""",
            (6,),
        ),
        Invalid(
            """\
import random
from portaflow import workflow

@workflow
def wf(ctx):
    x = random.random()
    rng = random.Random()
    return x, rng.random()
""",
            (6, 7),
            fixed="""\
import random
from portaflow import workflow

@workflow
def wf(ctx):
    x = ctx.random()
    rng = random.Random(ctx.random())
    return x, rng.random()
""",
        ),
        Invalid(
            """\
from random import shuffle as mix, randint
import secrets, os
from portaflow import workflow

@workflow
def wf(ctx, items):
    mix(items)
    return randint(1, 6), secrets.token_hex(8), os.urandom(4)
""",
            (7, 8, 8, 8),
        ),
        Invalid(
            """\
import numpy as np
from portaflow import workflow

@workflow
def wf(ctx):
    noise = np.random.rand(3)
    rng = np.random.default_rng()
    return noise, rng
""",
            (6, 7),
        ),
        # a generator kept at module level: its state moves on between runs, even when seeded
        Invalid(
            """\
import random
from portaflow import workflow

RNG = random.Random(1234)

@workflow
def wf(ctx, items):
    return RNG.choice(items)
""",
            (8,),
        ),
        Invalid(
            """\
import random
from portaflow import workflow

@workflow
def wf(ctx):
    return random.SystemRandom().random()
""",
            (6,),
        ),
    )

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        if not isinstance(callee, External):
            return ()
        qname = callee.qname
        root = qname.split(".", 1)[0]
        if root not in ("random", "secrets", "os", "numpy"):
            return ()
        if qname in _SEEDABLE:
            seed = arg_or_none(call, *_SEEDABLE[qname])
            if seed is not None:
                return ()
            message = (
                f"`{short(qname)}()` without a seed is seeded by the operating system, differently on replay"
            )
            if qname == "random.Random":
                fix, reason = context_fix(
                    checker, call, callee, _seed_from_context, "random.Random({ctx}.random())"
                )
                return (Report(call, message, fix, reason),)
            return (Report(call, message, None, "seed it from a recorded value: `ctx.random()`"),)
        if qname.startswith(_GENERATOR_INSTANCES):
            if callee.shared:
                return (
                    Report(
                        call,
                        f"`{short(qname)}()` draws from a generator kept at module level; its state "
                        "is shared "
                        "between runs, so a replay draws other numbers",
                        None,
                        "create the generator inside the workflow, seeded from `ctx.random()`",
                    ),
                )
            return ()
        if qname.startswith("random.SystemRandom"):
            if qname != "random.SystemRandom" and checker.made_by_reported_call(callee):
                return ()
            return (
                Report(
                    call,
                    "`random.SystemRandom` draws from the operating system; a replay gets other numbers",
                    None,
                    "SystemRandom cannot be seeded: use `ctx.random()`",
                ),
            )
        parts = qname.split(".")
        if (
            (root == "random" and len(parts) == 2)
            or root == "secrets"
            or qname in ("os.urandom", "os.getrandom")
            or (qname.startswith("numpy.random.") and len(parts) == 3)
        ):
            if parts[-1].endswith(("Error", "Warning")) or (parts[-1][:1].isupper() and root == "random"):
                return ()
            message = f"`{short(qname)}()` draws random numbers, which differ when the workflow replays"
            if qname == "random.random" and not call.args:
                fix, reason = context_fix(checker, call, callee, template("{ctx}.random()"), "{ctx}.random()")
                return (Report(call, message, fix, reason),)
            return (Report(call, message),)
        return ()


def _seed_from_context(context: str, updated: cst.CSTNode) -> cst.BaseExpression:
    assert isinstance(updated, cst.Call)
    seed = cst.parse_expression(f"{context}.random()")
    return updated.with_changes(args=[cst.Arg(seed)])
