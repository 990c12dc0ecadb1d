"""validate() with every rule against jsonschema's is_valid with the shipped schema, same documents.

Run: ``python benchmarks/bench_validate.py``. The floor is measured in the same run; read the ratio.

The main line uses documents whose numbers and prompts differ at every call (5,000 variants of each
guide document, more than any cache of svaml's holds), so no cache can serve a repeat; the line
"same documents" repeats the three stored documents, as a webhook that answers alike would.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
from _timing import QUICK, best_of

from svaml import validate
from svaml.rules import RULES
from svaml.schema import document_schema

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ["ivr_menu", "conference", "pstn_forward"]
VARIANTS = 50 if QUICK else 5000
_NUMBER = re.compile(r"\+\d{9,14}")


def vary(value: Any, n: int) -> Any:
    """Return ``value`` with every E.164 number's last digits and every prompt's text made unique by ``n``."""
    if isinstance(value, dict):
        return {k: vary(v, n) for k, v in value.items()}
    if isinstance(value, list):
        return [vary(v, n) for v in value]
    if isinstance(value, str):
        if _NUMBER.fullmatch(value):
            return value[:-4] + f"{n:04d}"[-4:]
        if " " in value:  # a prompt or a text to speak
            return value.replace("]", f" {n}]") if value.endswith("]") else f"{value} {n}"
    return value


def main() -> None:
    """Print µs per document for both and the ratio."""
    schema = document_schema("ice")
    validator = jsonschema.Draft202012Validator(schema)
    docs = {name: json.loads((ROOT / "examples" / f"{name}.ice.json").read_text()) for name in GUIDE}
    variants = {name: [vary(doc, n) for n in range(VARIANTS)] for name, doc in docs.items()}
    for name, doc in docs.items():
        for each in (doc, variants[name][1], variants[name][-1]):
            assert validator.is_valid(each)
            assert validate(each, callback="ice") == [], name
    print(f"rules registered: {len(RULES)}")
    text = {name: (ROOT / "examples" / f"{name}.ice.json").read_bytes() for name in GUIDE}
    fns: dict[str, Callable[[], object]] = {}
    for name, doc in docs.items():
        # One cycle per side, so both see the same documents in the same order.
        left: Iterator[Any] = itertools.cycle(variants[name])
        right: Iterator[Any] = itertools.cycle(variants[name])
        fns[f"jsonschema {name}"] = lambda it=left: validator.is_valid(next(it))
        fns[f"svaml {name}"] = lambda it=right: validate(next(it), callback="ice")
        fns[f"jsonschema same {name}"] = lambda doc=doc: validator.is_valid(doc)
        fns[f"svaml same {name}"] = lambda doc=doc: validate(doc, callback="ice")
        fns[f"bytes {name}"] = lambda b=text[name]: validate(b, callback="ice")
    found = best_of(fns, number=200)
    print(f"{'document':<16}{'jsonschema µs':>15}{'svaml µs':>10}{'ratio':>8}   (numbers and prompts vary)")
    totals = dict.fromkeys(("j", "s", "js", "ss", "b"), 0.0)
    for name in docs:
        j, s = found[f"jsonschema {name}"], found[f"svaml {name}"]
        totals["j"] += j
        totals["s"] += s
        totals["js"] += found[f"jsonschema same {name}"]
        totals["ss"] += found[f"svaml same {name}"]
        totals["b"] += found[f"bytes {name}"]
        print(f"{name:<16}{j:>15.1f}{s:>10.1f}{s / j:>8.3f}")
    j, s = totals["j"], totals["s"]
    print(f"{'all three':<16}{j:>15.1f}{s:>10.1f}{s / j:>8.3f}   (target ≤ 0.05x)")
    js, ss = totals["js"], totals["ss"]
    print(f"{'same documents':<16}{js:>15.1f}{ss:>10.1f}{ss / js:>8.3f}   (the three stored documents, repeated)")
    print(f"{'from bytes':<16}{'':>15}{totals['b']:>10.1f}{totals['b'] / js:>8.3f}   (decode + validate, same)")


if __name__ == "__main__":
    main()
