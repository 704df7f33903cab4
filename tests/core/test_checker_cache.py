"""The checker's caches: after one edit only what changed is worked out again.

Counting the work instead of timing it keeps these tests deterministic on a noisy machine;
``benchmarks/bench_core.py`` has the timings.
"""

from __future__ import annotations

from typing import Any

from netbuilder.core.shapes import ShapeChecker
from tests.core.reference_models import resnet_diagram


class CountingChecker(ShapeChecker):
    """Counts shape-rule evaluations and layer constructions (the expensive parts)."""

    def __init__(self) -> None:
        super().__init__()
        self.rules = 0

    def _compute(self, spec: Any, params: Any, in_specs: Any) -> Any:
        self.rules += 1
        return super()._compute(spec, params, in_specs)

    @property
    def layers_built(self) -> int:
        """Each layer built on the meta device leaves one parameter-count cache entry
        (only blocks without a ``count`` formula are built)."""
        return len(self._counts)


def test_unchanged_diagram_does_no_work() -> None:
    d = resnet_diagram(size=64)
    checker = CountingChecker()
    first = checker.check(d)
    assert first.ok and checker.rules > 0
    checker.rules, built = 0, checker.layers_built
    again = checker.check(d)
    assert (checker.rules, checker.layers_built) == (0, built)
    assert again.total_params == first.total_params


def test_shape_keeping_edit_recomputes_one_node() -> None:
    d = resnet_diagram(size=64)
    checker = CountingChecker()
    checker.check(d)
    checker.rules, built = 0, checker.layers_built
    d.set_param("layer2_0_bn1", "momentum", 0.2)
    assert checker.check(d).ok
    assert checker.rules == 1
    assert checker.layers_built == built == 0  # counts come from formulas, not layers


def test_input_size_edit_rebuilds_no_layer() -> None:
    """Every shape downstream changes, but no layer's constructor arguments do."""
    d = resnet_diagram(size=64)
    checker = CountingChecker()
    first = checker.check(d)
    checker.rules, built = 0, checker.layers_built
    d.set_param("image", "height", 96)
    analysis = checker.check(d)
    assert analysis.ok and analysis.total_params == first.total_params
    # Each distinct (block, params, input shape) is worked out once: repeated blocks share.
    assert 0 < checker.rules < len(d.nodes)
    assert checker.layers_built == built
    assert analysis.nodes["layer1_0_relu2"].outputs["out"].shape == (64, 24, 16)


def test_a_block_without_a_count_formula_is_built_on_meta_once() -> None:
    """The fallback for blocks that declare no ``count``: exact, and cached per layer."""
    from dataclasses import replace

    from netbuilder.core import blocks

    d = resnet_diagram(size=64)
    expected = ShapeChecker().check(d)
    saved = blocks.BLOCKS["Conv2d"]
    blocks.BLOCKS["Conv2d"] = replace(saved, count=None)
    try:
        checker = CountingChecker()
        analysis = checker.check(d)
        assert analysis.total_params == expected.total_params
        assert {n: r.param_count for n, r in analysis.nodes.items()} == {
            n: r.param_count for n, r in expected.nodes.items()
        }
        convs = {
            (tuple(r.inputs["in"].shape), tuple(sorted(r.params.items())))
            for n, r in analysis.nodes.items()
            if d.nodes[n].type == "Conv2d"
        }
        assert 0 < checker.layers_built <= len(convs)
    finally:
        blocks.BLOCKS["Conv2d"] = saved
