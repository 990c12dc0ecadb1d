"""validate() with every rule against jsonschema's is_valid with the shipped schema, same documents.

Run: ``python benchmarks/bench_validate.py``. The floor is measured in the same run; read the ratio.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
from _timing import best_of

from svaml import validate
from svaml.rules import RULES
from svaml.schema import document_schema

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ["ivr_menu", "conference", "pstn_forward"]


def main() -> None:
    """Print µs per document for both and the ratio."""
    schema = document_schema("ice")
    validator = jsonschema.Draft202012Validator(schema)
    docs = {name: json.loads((ROOT / "examples" / f"{name}.ice.json").read_text()) for name in GUIDE}
    for doc in docs.values():
        assert validator.is_valid(doc)
        assert validate(doc, callback="ice") == []
    print(f"rules registered: {len(RULES)}")
    print(f"{'document':<16}{'jsonschema µs':>15}{'svaml µs':>10}{'ratio':>8}")
    text = {name: (ROOT / "examples" / f"{name}.ice.json").read_bytes() for name in GUIDE}
    fns: dict[str, Callable[[], object]] = {}
    for name, doc in docs.items():
        fns[f"jsonschema {name}"] = lambda doc=doc: validator.is_valid(doc)
        fns[f"svaml {name}"] = lambda doc=doc: validate(doc, callback="ice")
        fns[f"bytes {name}"] = lambda b=text[name]: validate(b, callback="ice")
    found = best_of(fns, number=200)
    total_j = total_s = total_b = 0.0
    for name in docs:
        j, s, b = found[f"jsonschema {name}"], found[f"svaml {name}"], found[f"bytes {name}"]
        total_j, total_s, total_b = total_j + j, total_s + s, total_b + b
        print(f"{name:<16}{j:>15.1f}{s:>10.1f}{s / j:>8.3f}")
    print(f"{'all three':<16}{total_j:>15.1f}{total_s:>10.1f}{total_s / total_j:>8.3f}   (target ≤ 0.05x)")
    print(f"{'from bytes':<16}{'':>15}{total_b:>10.1f}{total_b / total_j:>8.3f}   (decode + validate)")

if __name__ == "__main__":
    main()
