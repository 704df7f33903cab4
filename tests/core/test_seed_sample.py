"""The seed article's CNNModel ships as a sample a learner can open; its bug must show."""

from netbuilder.cli import main
from netbuilder.core.io import load
from netbuilder.core.shapes import check
from netbuilder.resources import RESOURCES_DIR

SEED = RESOURCES_DIR / "samples" / "seed_cnnmodel.nbd"


def test_check_flags_fc1_with_both_numbers(capsys) -> None:
    assert main(["check", str(SEED)]) == 1
    out = capsys.readouterr().out
    error_lines = [line for line in out.splitlines() if "error:" in line]
    assert len(error_lines) == 1
    assert "[fc1]" in error_lines[0] and "401408" in error_lines[0] and "128" in error_lines[0]


def test_fixing_in_features_makes_it_valid() -> None:
    diagram = load(SEED)
    diagram.set_param("fc1", "in_features", None)
    analysis = check(diagram)
    assert analysis.ok
    assert analysis.nodes["fc1"].inputs["in"].shape == (128,)
    assert analysis.nodes["fc2"].outputs["out"].shape == (10,)
