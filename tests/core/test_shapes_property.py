"""The shapes the checker shows equal the shapes a real forward pass produces (DESIGN rule 6).

Random valid diagrams over every block family are checked, compiled and run; every port of
every node is compared, and so is each node's parameter count.
"""

from __future__ import annotations

import operator
import os
from typing import Any

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import fx

from netbuilder.core.blocks import BLOCKS, BODY_ONLY_CATEGORIES, IMPORT_ONLY_CATEGORIES
from netbuilder.core.compile import compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.core.naming import python_names
from netbuilder.core.shapes import ShapeChecker
from tests.core.diagram_strategies import grow_diagram

BATCH = 3


def run_and_record(module: fx.GraphModule, args: list[torch.Tensor]) -> dict[str, Any]:
    """Run ``module`` and return the last value each diagram node produced."""
    seen: dict[str, Any] = {}

    class Recorder(fx.Interpreter):
        def run_node(self, n: fx.Node) -> Any:
            value = super().run_node(n)
            nid = n.meta.get("node_id")
            if nid is not None and n.target is not operator.getitem:
                seen[nid] = value
            return value

    Recorder(module).run(*args)
    return seen


def forward_matches_check(d: Diagram) -> None:
    analysis = ShapeChecker().check(d)
    assert analysis.ok, [str(x) for x in analysis.errors]
    module = compile_diagram(d, analysis).eval()
    args = [analysis.nodes[n].outputs["out"].example(BATCH) for n in analysis.input_nodes()]
    with torch.no_grad():
        seen = run_and_record(module, args)
        returned = module(*args)
    returned = returned if isinstance(returned, tuple) else (returned,)
    outputs = analysis.output_nodes()
    assert len(returned) == len(outputs)
    for tensor, nid in zip(returned, outputs, strict=True):  # returned in diagram order
        assert tuple(tensor.shape) == (BATCH, *analysis.nodes[nid].inputs["in"].shape), nid
    names = python_names(d.nodes)
    for nid, node in d.nodes.items():
        spec = BLOCKS[node.type]
        result = analysis.nodes[nid]
        if spec.role == "output":
            continue
        value = seen[nid]
        values = value if isinstance(value, tuple) else (value,)
        ports = spec.output_ports(result.params)
        assert len(values) == len(ports), nid
        for port, tensor in zip(ports, values, strict=True):
            expected = result.outputs[port]
            assert tuple(tensor.shape) == (BATCH, *expected.shape), (nid, port, node.params)
            assert tensor.dtype == expected.torch_dtype(), (nid, port)
        if spec.module is not None:
            layer = module.get_submodule(names[nid])
            assert result.param_count == sum(p.numel() for p in layer.parameters()), nid
        else:
            assert result.param_count == 0


@settings(
    max_examples=int(os.environ.get("NB_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_checked_shapes_equal_forward_shapes(data: st.DataObject) -> None:
    torch.manual_seed(0)
    forward_matches_check(grow_diagram(data))


def test_every_block_family_is_generated() -> None:
    """Guard against the generator silently never reaching some block types."""
    from hypothesis import find

    reached: set[str] = set()

    def covers(d: Diagram) -> bool:
        reached.update(n.type for n in d.nodes.values())
        return False

    @settings(
        max_examples=400,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def collect(data: st.DataObject) -> None:
        covers(grow_diagram(data))

    collect()
    del find
    # sub-block ports exist only inside definition bodies (tests/core/test_subblocks.py)
    skipped = IMPORT_ONLY_CATEGORIES + BODY_ONLY_CATEGORIES
    import_only = {t for t, s in BLOCKS.items() if s.category in skipped}
    missing = set(BLOCKS) - reached - import_only
    assert not missing, f"never generated: {sorted(missing)}"


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 70)
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["same", "valid", "mean", "last", "relu", "learned", "", "x"]),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=6,
)


@settings(
    max_examples=int(os.environ.get("NB_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_parameter_edit_gives_diagnostics_or_exact_shapes(data: st.DataObject) -> None:
    """Random edits with any JSON value: check() never raises, every problem names a node,
    and whatever it still accepts runs with exactly the shapes it shows."""
    d = grow_diagram(data)
    for _ in range(data.draw(st.integers(1, 3))):
        nid = data.draw(st.sampled_from(sorted(d.nodes)))
        names = sorted(BLOCKS[d.nodes[nid].type].param_map)
        if not names:
            continue
        d.set_param(nid, data.draw(st.sampled_from(names)), data.draw(JSON_VALUES))
    analysis = ShapeChecker().check(d)
    for diag in analysis.diagnostics:
        assert diag.node_id is None or diag.node_id in d.nodes
        assert diag.message
    if analysis.ok:
        torch.manual_seed(0)
        forward_matches_check(d)
