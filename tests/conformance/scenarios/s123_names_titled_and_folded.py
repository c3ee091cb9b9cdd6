"""Contact names from a CRM normalised with `title()`, `capitalize()` and `casefold()` (Python's Unicode
titlecase and full case folding: the digraph 'ǆ', 'ß', the ligature 'ﬁ', the final sigma), and de-duplicated
by their folded form in a set; on every target as in Python."""

from portaflow import Context, step, workflow


@step
def contacts(segment: str) -> list:
    return ["o'neil they're", "ǆemal STRASSE", "Straße", "ﬁona ΟΔΟΣ", "FIONA οδος", "σοφια ΣΑΣ."]


@workflow
def normalise(ctx: Context, segment: str) -> dict:
    names = contacts(segment)
    seen = set()
    unique = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return {
        "titled": [n.title() for n in names],
        "capitalized": [n.capitalize() for n in names],
        "folded": [n.casefold() for n in names],
        "unique": unique,
        "distinct": len(seen),
    }


SCENARIO = {
    "input": {"segment": "emea"},
    "expect": {
        "status": "completed",
        "output": {
            "titled": ["O'Neil They'Re", "ǅemal Strasse", "Straße", "Fiona Οδος", "Fiona Οδος", "Σοφια Σας."],
            "capitalized": [
                "O'neil they're",
                "ǅemal strasse",
                "Straße",
                "Fiona οδος",
                "Fiona οδος",
                "Σοφια σας.",
            ],
            "folded": [
                "o'neil they're",
                "ǆemal strasse",
                "strasse",
                "fiona οδοσ",
                "fiona οδοσ",
                "σοφια σασ.",  # noqa: RUF001 (Greek, as folded)
            ],
            "unique": ["o'neil they're", "ǆemal STRASSE", "Straße", "ﬁona ΟΔΟΣ", "σοφια ΣΑΣ."],
            "distinct": 5,
        },
    },
}
