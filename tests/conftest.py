"""The hypothesis profiles of the whole suite, in one place, and the fixtures tests share.

``dev`` (the default) runs 200 examples a property; ``ci`` (chosen when ``CI=true``, as GitHub
Actions and GitLab CI set it) runs 25, keeps no example database and prints the blob that
reproduces a failure; ``pytest --hypothesis-profile=ci`` picks it by name. Neither has a
deadline: on a shared machine the time of one example says nothing about the code, and the
strategies draw whole documents, which hypothesis may deem slow.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    settings.get_profile("dev"),
    max_examples=25,
    database=None,
    print_blob=True,
)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


@pytest.fixture
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run a test in its own directory, outside GitHub Actions (whose lint format is github)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path
