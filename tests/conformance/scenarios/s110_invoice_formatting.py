"""An invoice formatted as text: padded table columns (`<`, `>`, `^`, fill characters), currency with
thousands separators and two decimals, a signed discount, tax rates as percentages, hex and zero-padded
ids, `_` grouping, `str.format` templates and `format()`; on every target with Python's text. The line
items come from a step (their types are known only at run time), and a quantity that arrives as text makes
Python's ValueError for the `d` spec, caught by `except ValueError`."""

from portaflow import Context, step, workflow


@step
def load_invoice(number: int) -> dict:
    return {
        "customer": "Ada Lovelace",
        "lines": [
            {"item": "Analytical engine", "qty": 1, "price": 12500.5},
            {"item": "Punch cards", "qty": 2400, "price": 0.125},
            {"item": "Brass gears", "qty": 36, "price": 18.675},
        ],
        "tax_rate": 0.0825,
        "discount": -250.75,
        "bad_qty": "12",
    }


@workflow
def invoice(ctx: Context, number: int) -> dict:
    data = load_invoice(number)
    header = "{:^44}".format("INVOICE")
    ident = f"INV-{number:08X}"
    rows = [f"{'item':<20}|{'qty':>6}|{'amount':>15}"]
    subtotal = 0.0
    for line in data["lines"]:
        amount = line["qty"] * line["price"]
        subtotal += amount
        rows.append(f"{line['item']:.<20}|{line['qty']:>6,}|{amount:>15,.2f}")
    tax = subtotal * data["tax_rate"]
    total = subtotal + tax + data["discount"]
    try:
        bad = f"{data['bad_qty']:d}"
    except ValueError as e:
        bad = str(e)
    return {
        "header": header,
        "id": ident,
        "short_id": format(number, "#x"),
        "braced": format(number, "{^9") + format("}", "}>3"),  # a brace as the fill character
        "rows": rows,
        "subtotal": f"{subtotal:>15,.2f}",
        "tax": "{:.2%} of {:,.2f} = {:=+12,.2f}".format(data["tax_rate"], subtotal, tax),
        "discount": f"{data['discount']:+,.2f}",
        "total": f"{total:*>18,.2f}",
        "bits": f"{number:#018_b}",
        "cents": f"{round(total * 100):_}",
        "customer": f"{data['customer']!s:>16.9}|",  # !s: a str, whose precision truncates
        "bad_qty": bad,
    }


SCENARIO = {
    "input": {"number": 48879},
    "expect": {
        "status": "completed",
        "output": {
            "header": "                  INVOICE                   ",
            "id": "INV-0000BEEF",
            "short_id": "0xbeef",
            "braced": "{{48879{{}}}",
            "rows": [
                "item                |   qty|         amount",
                "Analytical engine...|     1|      12,500.50",
                "Punch cards.........| 2,400|         300.00",
                "Brass gears.........|    36|         672.30",
            ],
            "subtotal": "      13,472.80",
            "tax": "8.25% of 13,472.80 = +   1,111.51",
            "discount": "-250.75",
            "total": "*********14,333.56",
            "bits": "0b1011_1110_1110_1111",
            "cents": "1_433_356",
            "customer": "       Ada Lovel|",
            "bad_qty": "Unknown format code 'd' for object of type 'str'",
        },
    },
}
