"""Run the svaml command line: ``python -m svaml lint ...``."""

from __future__ import annotations

import sys

from svaml.cli import main

if __name__ == "__main__":
    sys.exit(main())
