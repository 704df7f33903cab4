"""``netbuilder --self-test`` names the step that fails (the passing run is in the user guide's
test, which runs ``netbuilder --self-test`` as a reader would)."""

from __future__ import annotations

import io

from netbuilder import selftest
from netbuilder.cli import build_parser


def test_a_missing_bundled_example_fails_the_first_step_with_one_line(monkeypatch):
    monkeypatch.setattr(selftest, "EXAMPLE", "no_such_example.nbd")
    out = io.StringIO()
    assert selftest.run_self_test(out) == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("self-test: open example: FAILED: ")
    assert "no_such_example.nbd" in lines[0]
    assert "Traceback" not in out.getvalue()


def test_the_option_is_in_the_help():
    assert "--self-test" in build_parser().format_help()
