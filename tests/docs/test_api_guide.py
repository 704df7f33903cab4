"""docs/api.md runs as written, and every output it shows is what the code prints."""

from __future__ import annotations

import contextlib
import io

import pytest

from tests.docs.markdown_blocks import DOCS, expected_prints, fenced_blocks, matches

GUIDE = DOCS / "api.md"


def test_every_python_block_runs_and_prints_what_the_guide_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the guide writes tiny_resnet.nbd, .pt, .pt2 where it runs
    blocks = fenced_blocks(GUIDE, ("python",))
    assert len(blocks) >= 8, "the API guide lost its examples"
    namespace: dict = {"__name__": "api_guide"}
    checked = 0
    for block in blocks:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block.code, f"{GUIDE.name}:{block.line}", "exec"), namespace)
        for want in expected_prints(block.code):
            assert matches(want, printed.getvalue()), (
                f"{GUIDE.name} line {block.line} promises {want!r} but printed:\n"
                f"{printed.getvalue()}"
            )
            checked += 1
    assert checked >= 15
    for name in ("tiny_resnet.nbd", "tiny_resnet.pt", "tiny_resnet.pt2"):
        assert (tmp_path / name).is_file()


def test_the_guide_covers_what_issue_17_asked_for():
    text = GUIDE.read_text(encoding="utf-8")
    for needle in ('"in1"', '"in2"', "after=", "state_dict", "io.save", "io.load", "chain("):
        assert needle in text


@pytest.mark.parametrize(
    ("code", "want"),
    [
        ("print(1)   # 1\n", ["1"]),
        ("print(1)  # a\n# b\nx = 2  # not output\n", ["a", "b"]),
        ("s = '#x'\nprint(s)\n", []),
        ("print(s)\n    # long output\ny = 1\n# not output\n", ["long output"]),
    ],
)
def test_expected_prints_reads_comments_after_prints_only(code, want):
    assert expected_prints(code) == want


def test_a_wrong_promise_does_not_match():
    assert matches("B×64×…", "B×64×16×16")
    assert not matches("B×64×16×16", "B×32×16×16")
