"""Risk engine quality on the labelled corpus (dev part, and the held-out part when present):
per-class precision and recall, per-severity recall (a higher severity counts as caught), the
severity confusion table, false alarms on hard negatives, and classification speed on one core.
JSON on the last line.

    .venv/bin/python bench/risk_quality.py [--quick] [--show-misses] [--source]

--source also scores the dev part by author (its "author" column): 1 (tuned on from the start),
2 and 3 (each a held-out part first, measured once, then merged into dev). The held-out part
(tests/data/risk_corpus_heldout.tsv, same format without the author column) is measured when it is
present: it is written by an author nobody tuning the engine has read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flows.guardian.risk import match_terms  # noqa: E402
from flows.guardian.risk_quality import Example, load, score  # noqa: E402

DATA = ROOT / "tests" / "data"
PARTS = {"dev": DATA / "risk_corpus_dev.tsv", "heldout": DATA / "risk_corpus_heldout.tsv"}


def speed(texts: list[str], seconds: float) -> float:
    """Messages classified per second, in this one process (one core)."""
    match_terms(texts[0])  # lexicons and automaton built before the clock starts
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            match_terms(text)
        done += len(texts)
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time the speed for 1 s instead of 5 s")
    parser.add_argument("--show-misses", action="store_true", help="print missed alerts and false alarms")
    parser.add_argument("--source", action="store_true", help="also score the dev part by author (row range)")
    args = parser.parse_args()
    result: dict[str, object] = {"benchmark": "risk_quality", "quick": args.quick}
    texts: list[str] = []
    parts: list[tuple[str, list[Example]]] = []
    for name, path in PARTS.items():
        if not path.exists():
            result[name] = "absent"
            continue
        examples = load(path)
        texts += [e.text for e in examples]
        parts.append((name, examples))
        if name == "dev" and args.source:
            authors = sorted({e.author for e in examples if e.author})
            parts += [(f"dev_author{a}", [e for e in examples if e.author == a]) for a in authors]
    for name, examples in parts:
        report = score(examples)
        if args.show_misses:
            for miss in report["alert_misses"]:  # type: ignore[union-attr]
                print(name, "MISS", miss["gold"], "->", miss["got"], miss["text"])
            for text in report["false_alarm_texts"]:  # type: ignore[union-attr]
                print(name, "FALSE ALARM", text)
        print(f"{name}: {report['messages']} messages, severity recall {report['severity_recall']}, "
              f"false alarms {report['false_alarms']}/{report['hard_negatives']}")
        report.pop("false_alarm_texts")
        report["alert_misses"] = len(report["alert_misses"])  # type: ignore[arg-type]
        result[name] = report
    result["messages_per_s"] = round(speed(texts, 1.0 if args.quick else 5.0)) if texts else None
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
