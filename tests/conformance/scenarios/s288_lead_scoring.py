"""Issue 11, a realistic workflow: lead scoring as users write it. Enriched leads merged with update(),
internal fields dropped with pop() and del, scores kept per tier with setdefault, a plan built by
plan-and-execute bookkeeping (a work list with pop() and insert()), divmod for a readable duration, the
leads ranked with sorted(key=...) and the tier names with key=len."""

from portaflow import Context, step, workflow

WEIGHTS = {"title": 30, "size": 40, "visits": 5}


@step
def enrich(email: str) -> dict:
    domain = email.split("@")[1]
    return {"company": domain.split(".")[0], "size": len(domain), "_raw": domain, "visits": len(email) % 7}


def score(lead: dict) -> int:
    total = 0
    if lead["size"] > 9:
        total = total + WEIGHTS["size"]
    total += WEIGHTS["visits"] * lead["visits"]
    if "cto" in lead["email"]:
        total += WEIGHTS["title"]
    return total


@workflow
def score_leads(ctx: Context, emails: list, seconds: int) -> dict:
    leads = []
    tiers = {}
    todo = list(emails)
    todo.reverse()
    while todo:
        email = todo.pop()
        if email.startswith("retry:"):
            todo.insert(0, email.removeprefix("retry:"))
            continue
        lead = {"email": email}
        lead.update(enrich(email))
        raw = lead.pop("_raw")
        lead["score"] = score(lead)
        lead.setdefault("source", "web")
        del lead["visits"]
        tier = "hot" if lead["score"] >= 60 else "warm" if lead["score"] >= 30 else "cold"
        tiers.setdefault(tier, []).append(lead["company"])
        lead["domain_len"] = len(raw)
        leads.append(lead)
    ranked = sorted(leads, key=lambda x: (-x["score"], x["email"]))
    minutes, secs = divmod(seconds, 60)
    return {
        "top": [x["email"] for x in ranked[:2]],
        "tiers": {k: sorted(v) for k, v in tiers.items()},
        "tier_names": sorted(tiers, key=len),
        "first": ranked[0],
        "took": f"{minutes}m{secs:02d}s",
    }


SCENARIO = {
    "workflow": "score_leads",
    "input": {
        "emails": ["cto@bigcorp.example", "retry:ann@tiny.io", "bob@mediumsized.com", "eve@x.org"],
        "seconds": 125,
    },
    "expect": {
        "status": "completed",
        "output": {
            "top": ["cto@bigcorp.example", "bob@mediumsized.com"],
            "tiers": {"hot": ["bigcorp", "mediumsized"], "cold": ["tiny", "x"]},
            "tier_names": ["hot", "cold"],
            "first": {
                "email": "cto@bigcorp.example",
                "company": "bigcorp",
                "size": 15,
                "score": 95,
                "source": "web",
                "domain_len": 15,
            },
            "took": "2m05s",
        },
    },
}
