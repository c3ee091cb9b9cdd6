"""A report of measurements in scientific and general notation (`e`, `g`, no type with a precision): the
digits are a float's significant ones, correctly rounded from its exact binary value (`2.675` is
2.67499999... in binary: `.3g` gives 2.67). Python's text on the local engine, Azure and Cloudflare; Step
Functions refuses it at compile time (PFC040: JSONata has no correctly rounded conversion)."""

from portaflow import Context, step, workflow


@step
def measure(sample: str) -> list:
    return [2.675, 0.000123456, 6.02214076e-23, 1234567.5, 99.95]  # none integral: see docs/dsl.md


@workflow
def report(ctx: Context, sample: str) -> list:
    values = measure(sample)
    out = []
    for x in values:
        out.append(f"{x:.3g}|{x:.2e}|{x:>12.4}|{x:#g}|{x:+.1E}")
    return out


SCENARIO = {
    "input": {"sample": "s-1"},
    "refuses": {"aws": "PFC040"},
    "expect": {
        "status": "completed",
        "output": [
            "2.67|2.67e+00|       2.675|2.67500|+2.7E+00",
            "0.000123|1.23e-04|   0.0001235|0.000123456|+1.2E-04",
            "6.02e-23|6.02e-23|   6.022e-23|6.02214e-23|+6.0E-23",
            "1.23e+06|1.23e+06|   1.235e+06|1.23457e+06|+1.2E+06",
            "100|1.00e+02|       99.95|99.9500|+1.0E+02",
        ],
    },
}
