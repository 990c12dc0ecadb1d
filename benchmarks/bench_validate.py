"""validate() with every rule against jsonschema's is_valid with the shipped schema, same documents.

Run: ``python benchmarks/bench_validate.py``. The floor is measured in the same run; read the ratio.
"""

from __future__ import annotations

import json
import timeit
from pathlib import Path

import jsonschema

from svaml import validate
from svaml.rules import RULES
from svaml.schema import document_schema

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ["ivr_menu", "conference", "pstn_forward"]


def best(fn: object, number: int = 500, repeat: int = 9) -> float:
    """Return the best time of one call in microseconds."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6  # type: ignore[arg-type]


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
    total_j = total_s = 0.0
    for name, doc in docs.items():
        j = best(lambda doc=doc: validator.is_valid(doc))
        s = best(lambda doc=doc: validate(doc, callback="ice"))
        total_j, total_s = total_j + j, total_s + s
        print(f"{name:<16}{j:>15.1f}{s:>10.1f}{s / j:>8.3f}")
    print(f"{'all three':<16}{total_j:>15.1f}{total_s:>10.1f}{total_s / total_j:>8.3f}   (target ≤ 0.05x)")
    text = {name: (ROOT / "examples" / f"{name}.ice.json").read_bytes() for name in GUIDE}
    t = sum(best(lambda b=b: validate(b, callback="ice")) for b in text.values())
    print(f"{'from bytes':<16}{'':>15}{t:>10.1f}{t / total_j:>8.3f}   (decode + validate)")


if __name__ == "__main__":
    main()
