"""Sub-blocks: the model, its edits (make, expand, paste), events, checking and the file."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from netbuilder.core import io
from netbuilder.core.blocks import UnknownBlockError
from netbuilder.core.diagram import Diagram, DiagramError
from netbuilder.core.shapes import check
from netbuilder.core.subblock_edits import (
    definition_from_dict,
    expand_subblock,
    make_subblock,
    merge_fragment,
    rename_definition,
)
from netbuilder.core.subblocks import SubBlockSpec
from tests.core.subblock_samples import flat_two_units, nested_stage

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_make_subblock_moves_the_selection_into_a_definition_with_ports() -> None:
    d = flat_two_units()
    before = check(d)
    use = make_subblock(
        d, ["u1_conv", "u1_relu", "u1_add"], "Unit", {"width": ("u1_conv", "out_channels")}
    )
    assert not {"u1_conv", "u1_relu", "u1_add"} & set(d.nodes)
    assert d.nodes[use].type == "Unit" and d.nodes[use].params == {"width": 4}
    definition = d.definitions["Unit"]
    assert definition.input_ports() == ("in",) and definition.output_ports() == ("out",)
    body = definition.body
    assert {"u1_conv", "u1_relu", "u1_add"} <= set(body.nodes)
    # the one value entering (stem's output) feeds both the conv and the skip of the add
    sub_in = definition.input_nodes()[0]
    assert {(e.target, e.target_port) for e in body.edges_from(sub_in)} == {
        ("u1_conv", "in"),
        ("u1_add", "in2"),
    }
    assert [(e.source, e.target) for e in d.edges_into(use)] == [("stem", use)]
    assert [(e.source, e.target) for e in d.edges_from(use)] == [(use, "u2_conv"), (use, "u2_add")]
    after = check(d)
    assert after.ok and after.total_params == before.total_params
    assert after.nodes[use].outputs["out"] == before.nodes["u1_add"].outputs["out"]
    spec = d.block("Unit")
    assert isinstance(spec, SubBlockSpec) and spec.category == "My blocks"
    assert spec.param_map["width"].kind == "int" and spec.param_map["width"].min == 1


def test_ports_are_named_after_the_wires_when_several_cross() -> None:
    d = flat_two_units()
    use = make_subblock(d, ["u1_relu", "u1_add"], "Tail")
    definition = d.definitions["Tail"]
    # u1_relu gets u1_conv's output, u1_add's skip gets stem's: two distinct values
    assert sorted(definition.input_ports()) == ["stem", "u1_conv"]
    assert {e.source for e in d.edges_into(use)} == {"stem", "u1_conv"}
    assert check(d).ok


def test_make_subblock_refuses_bad_names_and_selections_without_changing_anything() -> None:
    d = flat_two_units()
    snapshot = d.to_dict()
    for name in ("Conv2d", "conv2d", "1st", "my block", "class", ""):
        with pytest.raises(DiagramError):
            make_subblock(d, ["u1_conv"], name)
    with pytest.raises(DiagramError, match="cannot go inside"):
        make_subblock(d, ["image", "stem"], "Front")
    with pytest.raises(DiagramError, match="no parameter"):
        make_subblock(d, ["u1_conv"], "One", {"k": ("u1_conv", "nope")})
    with pytest.raises(DiagramError, match="no node"):
        make_subblock(d, ["u1_conv", "ghost"], "One")
    assert d.to_dict() == snapshot
    make_subblock(d, ["u1_conv"], "One")
    with pytest.raises(DiagramError, match="already exists"):
        make_subblock(d, ["u2_conv"], "One")


def test_expand_inlines_a_use_with_its_values_and_drops_the_last_definition() -> None:
    d = flat_two_units()
    before = check(d)
    use = make_subblock(
        d, ["u1_conv", "u1_relu", "u1_add"], "Unit", {"width": ("u1_conv", "out_channels")}
    )
    other = d.add_node("Unit", {"width": 6})
    new = expand_subblock(d, use)
    assert sorted(new) == ["u1_add", "u1_conv", "u1_relu"], "inner ids come back where free"
    assert "Unit" in d.definitions, "another use remains"
    d.remove_node(other)
    again = make_subblock(
        d, ["u1_conv", "u1_relu", "u1_add"], "Unit2", {"w": ("u1_conv", "out_channels")}
    )
    d.set_param(again, "w", 4)
    assert expand_subblock(d, again) and "Unit2" not in d.definitions
    d.remove_definition("Unit")
    after = check(d)
    assert after.ok and after.total_params == before.total_params
    assert after.nodes["u2_add"].outputs == before.nodes["u2_add"].outputs
    assert {(e.source, e.target) for e in d.edges} == {
        (e.source, e.target) for e in flat_two_units().edges
    }


def test_expand_writes_exposed_values_and_renames_clashing_ids() -> None:
    d = nested_stage()
    stage_body = d.definitions["Stage"].body
    stage_body.set_param("unit2", "width", 4)
    new = expand_subblock(d, "stage1")
    assert sorted(new) == ["unit1", "unit2"] and "Stage" not in d.definitions
    inner = expand_subblock(d, "unit2")
    assert "Unit" in d.definitions
    assert "u1_conv" in inner, "the first inlined unit keeps the inner ids"
    inner2 = expand_subblock(d, "unit1")
    assert all(i.startswith("unit1_") for i in inner2), inner2
    assert "Unit" not in d.definitions
    assert check(d).ok and check(d).total_params == check(flat_two_units()).total_params


def test_a_body_edit_reaches_the_owner_and_every_use_is_rechecked() -> None:
    d = nested_stage()
    events = []
    d.changed.connect(events.append)
    total = check(d).total_params
    body = d.definitions["Unit"].body
    body.set_param("u1_conv", "bias", False)  # not exposed: both uses change
    assert [(e.kind, e.name) for e in events] == [("definition_changed", "Unit")]
    assert events[0].detail.kind == "node_changed" and events[0].detail.node_id == "u1_conv"
    assert check(d).total_params == total - 2 * 4, "both units lost their 4 conv biases"


def test_an_error_inside_names_the_path_to_the_inner_block() -> None:
    d = nested_stage()
    d.definitions["Unit"].body.set_param("u1_conv", "padding", 0)  # shrinks: add mismatches
    errors = check(d).errors
    assert errors and all(e.node_id == "stage1" for e in errors)
    first = errors[0]
    assert first.path == ("stage1", "unit1", "u1_add")
    assert first.message.startswith("stage1 › unit1 › u1_add: Add needs equal shapes")
    assert str(first).startswith("stage1 › unit1 › u1_add:")
    inner = check(d).inner["stage1"]
    assert inner.inner["unit1"].nodes["u1_conv"].outputs["out"].shape == (4, 6, 6)


def test_exposed_values_reach_the_inner_block_per_use() -> None:
    d = nested_stage()
    body = d.definitions["Stage"].body
    body.set_param("unit2", "width", 5)  # Unit's add then needs 5 == 4 channels: an error
    errors = check(d).errors
    assert any(e.path == ("stage1", "unit2", "u1_add") for e in errors)
    body.set_param("unit2", "width", 4)
    assert check(d).ok


def test_port_blocks_belong_inside_a_definition() -> None:
    d = Diagram()
    d.add_node("SubInput", node_id="p")
    messages = [x.message for x in check(d).for_node("p")]
    assert any("belongs inside a sub-block" in m for m in messages)
    d = nested_stage()
    body = d.definitions["Unit"].body
    body.add_node("ImageInput", node_id="img")
    assert any("cannot be inside a sub-block" in e.message for e in check(d).errors)


def test_block_resolves_definitions_first_and_bodies_through_their_owner() -> None:
    d = nested_stage()
    body = d.definitions["Stage"].body
    assert body.root is d and body.block("Unit") is d.block("Unit")
    assert d.block("Conv2d").type == "Conv2d" and d.block("Dense").type == "Linear"
    with pytest.raises(UnknownBlockError):
        d.block("NoSuchBlock")
    assert d.block("Stage").input_ports({}) == ("in",)


def test_cycles_are_refused_on_edit_and_on_load() -> None:
    d = nested_stage()
    with pytest.raises(DiagramError, match="cannot contain itself"):
        d.definitions["Unit"].body.add_node("Stage")
    with pytest.raises(DiagramError, match="cannot contain itself"):
        d.definitions["Unit"].body.add_node("Unit")
    doc = io.to_document(d)
    unit = next(x for x in doc["definitions"] if x["name"] == "Unit")
    unit["nodes"].append({"id": "loop", "type": "Stage", "params": {}, "position": [0, 0]})
    with pytest.raises(io.DiagramFileError, match="cannot contain themselves: Unit → Stage → Unit"):
        io.loads(json.dumps(doc))


def test_remove_and_replace_definition() -> None:
    d = nested_stage()
    with pytest.raises(DiagramError, match="still used by 1"):
        d.remove_definition("Stage")
    new = definition_from_dict(d, d.definitions["Unit"].to_dict())
    new.exposed["width"].default = 8
    new.exposed["bias"] = type(new.exposed["width"])("bias", [("u1_conv", "bias")], True)
    body = d.definitions["Unit"].body
    d.replace_definition("Unit", new)
    assert d.definitions["Unit"].body is body, "views on the body stay attached"
    stage_body = d.definitions["Stage"].body
    assert stage_body.nodes["unit2"].params == {"width": 4, "bias": True}
    del new.exposed["width"]
    d.replace_definition("Unit", new)
    assert stage_body.nodes["unit2"].params == {"bias": True}
    assert check(d).ok


def test_restore_is_a_complete_undo_and_keeps_body_objects() -> None:
    d = flat_two_units()
    before = d.to_dict()
    make_subblock(d, ["u1_conv", "u1_relu", "u1_add"], "Unit")
    after = d.to_dict()
    body = d.definitions["Unit"].body
    events = []
    d.changed.connect(events.append)
    d.restore(before)
    assert d.to_dict() == before and not d.definitions
    assert body.owner is None, "a dropped body no longer resolves through the document"
    d.restore(after)
    assert d.to_dict() == after
    assert events[-1].kind == "reset" and events[-1].name == "restore"
    body = d.definitions["Unit"].body
    body.set_param("u1_conv", "bias", False)
    d.restore(after)
    assert d.definitions["Unit"].body is body, "a view open on the body stays attached"
    assert body.nodes["u1_conv"].params["bias"] is True


def test_fragment_carries_used_definitions_and_paste_merges_them() -> None:
    d = nested_stage()
    frag = d.fragment(["stage1", "fc"])
    assert [x["name"] for x in frag["definitions"]] == ["Unit", "Stage"]
    assert "definitions" not in d.fragment(["fc"])
    # into an empty document: everything is added, dependencies first
    other = Diagram()
    nodes, to_add = merge_fragment(other, frag)
    assert [x["name"] for x in to_add] == ["Unit", "Stage"]
    for data in to_add:
        other.add_definition(definition_from_dict(other, data))
    other._fill(nodes)
    assert other.nodes["stage1"].type == "Stage"
    # into the same document: same content is reused
    nodes, to_add = merge_fragment(d, frag)
    assert to_add == []
    assert {n["type"] for n in nodes["nodes"]} == {"Linear", "Stage"}
    # a document whose Unit differs: Unit and Stage (which uses it) are renamed
    changed = nested_stage()
    changed.definitions["Unit"].body.set_param("u1_conv", "bias", False)
    nodes, to_add = merge_fragment(changed, frag)
    assert [x["name"] for x in to_add] == ["Unit_2", "Stage_2"]
    stage = to_add[1]
    assert {n["type"] for n in stage["nodes"]} >= {"Unit_2"}
    assert {n["type"] for n in nodes["nodes"]} == {"Linear", "Stage_2"}
    for data in to_add:
        changed.add_definition(definition_from_dict(changed, data))
    assert check(changed).ok


def test_v3_fixture_loads_and_saves_byte_for_byte() -> None:
    path = FIXTURES / "diagram_v3.nbd"
    d = io.load(path)
    assert list(d.definitions) == ["Unit", "Stage"]
    assert d.definitions["Unit"].exposed["width"].targets == [("u1_conv", "out_channels")]
    analysis = check(d)
    assert analysis.ok and analysis.total_params == 423
    assert analysis.nodes["stage1"].outputs["out"].shape == (4, 8, 8)
    assert io.dumps(d) == path.read_text("utf-8")
    assert d.to_dict() == nested_stage().to_dict()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda doc: doc.update(definitions={}), '"definitions" is not a list'),
        (lambda doc: doc["definitions"][0].update(name="Conv2d"), "already a library block"),
        (lambda doc: doc["definitions"][1].update(name="Unit"), "already exists"),
        (lambda doc: doc["definitions"][0].update(exposed=[{"name": "w"}]), "targets"),
        (lambda doc: doc["definitions"][0]["nodes"][0].update(type="Nope"), "unknown block"),
        (lambda doc: doc["nodes"][-1]["params"].update(size=3), "Stage has no parameter 'size'"),
    ],
)
def test_damaged_definitions_are_refused_with_a_clear_message(edit, message) -> None:
    doc = json.loads((FIXTURES / "diagram_v3.nbd").read_text("utf-8"))
    edit(doc)
    with pytest.raises(io.DiagramFileError, match=message):
        io.loads(json.dumps(doc))


def test_copy_keeps_definitions_and_a_body_copy_keeps_its_owner() -> None:
    d = nested_stage()
    twin = d.copy()
    assert (
        twin.to_dict() == d.to_dict()
        and twin.definitions["Unit"].body is not d.definitions["Unit"].body
    )
    body_copy = d.definitions["Stage"].body.copy()
    assert body_copy.block("Unit") is d.block("Unit")
    assert copy.deepcopy(d.to_dict()) == d.to_dict()


def test_a_body_alone_is_checked_for_structure_without_shapes() -> None:
    d = nested_stage()
    body = d.definitions["Unit"].body
    alone = check(body)
    assert alone.ok and alone.nodes["u1_conv"].outputs == {}
    body.remove_node(d.definitions["Unit"].output_nodes()[0])
    assert any("no SubOutput" in e.message for e in check(body).errors)


def test_compiles_to_nested_modules_equal_to_the_flat_network() -> None:
    import torch

    from netbuilder.core.compile import compile_diagram

    nested, flat = compile_diagram(nested_stage()), compile_diagram(flat_two_units())
    keys = list(nested.state_dict())
    assert "stage1.unit1.u1_conv.weight" in keys and "stage1.unit2.u1_conv.bias" in keys
    assert type(nested.stage1).__name__ == "Stage" and type(nested.stage1.unit2).__name__ == "Unit"
    rename = {"stage1.unit1.u1_conv": "u1_conv", "stage1.unit2.u1_conv": "u2_conv"}
    state = {}
    for key, value in nested.state_dict().items():
        prefix, _, leaf = key.rpartition(".")
        state[f"{rename.get(prefix, prefix)}.{leaf}"] = value
    flat.load_state_dict(state)
    x = torch.randn(2, 3, 8, 8)
    torch.testing.assert_close(nested(x), flat(x))


def test_profile_counts_a_use_like_the_blocks_inside_it() -> None:
    from netbuilder.core.profile import profile
    from netbuilder.core.subblock_edits import flatten

    d = nested_stage()
    nested, flat = profile(d), profile(flatten(d))
    assert not nested.unknown
    assert nested.blocks["stage1"].params == sum(
        b.params or 0 for nid, b in flat.blocks.items() if nid.startswith("stage1_")
    )
    assert sum(b.flops or 0 for b in nested.blocks.values()) == sum(
        b.flops or 0 for b in flat.blocks.values()
    )
    assert nested.saved_bytes_per_sample == flat.saved_bytes_per_sample


def test_flatten_expands_nested_uses_with_prefixed_ids() -> None:
    from netbuilder.core.subblock_edits import flatten

    d = nested_stage()
    flat = flatten(d)
    assert not flat.definitions and d.definitions, "the original keeps its sub-blocks"
    assert "stage1_unit2_u1_conv" in flat.nodes
    assert check(flat).total_params == check(d).total_params


def test_generated_code_takes_arguments_only_where_uses_differ(tmp_path: Path) -> None:
    from netbuilder.core.codegen import generate_code
    from tests.core.test_codegen import assert_equivalent

    d = nested_stage()
    # a second stage on 6 channels: Unit's conv now differs between uses (4 or 6 channels)
    d.add_node("Conv2d", {"out_channels": 6, "kernel_size": 1}, node_id="widen")
    d.add_node("Stage", {}, node_id="stage2")
    stage_body = d.definitions["Stage"].body
    d.replace_definition("Stage", _exposing(d, stage_body, "width", [("unit1", "width")]))
    d.set_param("stage2", "width", 6)
    d.definitions["Stage"].body.set_param("unit2", "width", 4)
    (into_gap,) = d.edges_into("gap")
    d.disconnect(into_gap)
    d.connect("stage1", "out", "widen", "in")
    d.connect("widen", "out", "stage2", "in")
    d.connect("stage2", "out", "gap", "in")
    errors = check(d).errors
    assert errors and errors[0].path == ("stage2", "unit2", "u1_add"), "4 ≠ 6 channels inside"
    d.definitions["Stage"].body.remove_node("unit2")
    body = d.definitions["Stage"].body
    body.connect("unit1", "out", d.definitions["Stage"].output_nodes()[0], "in")
    assert check(d).ok, check(d).diagnostics
    source = generate_code(d)
    assert source.count("class Unit(nn.Module)") == 1 and source.count("class Stage(") == 1
    # the conv's in- and out-channels equal the exposed width in every use: one argument
    assert source.count("def __init__(self, width: int) -> None:") == 2
    assert "nn.Conv2d(in_channels=width, out_channels=width, kernel_size=3" in source
    assert "self.unit1 = Unit(width=width)" in source
    assert "self.stage1 = Stage(width=4)" in source and "self.stage2 = Stage(width=6)" in source
    assert_equivalent(d, tmp_path)


def _exposing(d: Diagram, body: Diagram, name: str, targets: list[tuple[str, str]]):
    definition = definition_from_dict(d, d.definitions[body.definition_name].to_dict())
    from netbuilder.core.subblocks import ExposedParam

    definition.exposed[name] = ExposedParam(name, targets, 4)
    return definition


def test_an_unknown_input_gives_the_sub_input_no_output() -> None:
    from netbuilder.core.shapes import check_instance

    d = nested_stage()
    outs, count, inner = check_instance(d, "Unit", {"width": 4}, [None])
    assert outs is None and count == 0
    sub_in = d.definitions["Unit"].input_nodes()[0]
    assert inner.nodes[sub_in].outputs == {} and not inner.errors


def test_rename_definition_renames_every_use_and_keeps_the_weights() -> None:
    """Unit is used twice inside Stage; Stage once in the network. Renaming Unit reaches the
    uses inside Stage, renaming Stage the network's; node ids (so weight keys) stay."""
    from netbuilder.core.compile import compile_diagram

    d = nested_stage()
    before = compile_diagram(d).state_dict()
    events: list[str] = []
    d.changed.connect(lambda e: events.append(e.kind))
    rename_definition(d, "Unit", "ResidualUnit")
    rename_definition(d, "Stage", "Layer1")
    assert set(d.definitions) == {"ResidualUnit", "Layer1"}
    inner = d.definitions["Layer1"].body
    assert sorted(n.type for n in inner.nodes.values() if n.type == "ResidualUnit") == [
        "ResidualUnit",
        "ResidualUnit",
    ]
    assert [n.type for n in d.nodes.values()].count("Layer1") == 1
    assert "Unit" not in json.dumps(d.to_dict()).replace("ResidualUnit", "")
    assert check(d).ok and events  # the views hear of it
    model = compile_diagram(d)
    assert type(model.stage1).__name__ == "Layer1"
    assert type(model.stage1.unit1).__name__ == "ResidualUnit"
    model.load_state_dict(before)  # same keys, same shapes
    # the exposed setting of the use survives
    assert d.definitions["ResidualUnit"].exposed.keys() == {"width"}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Unit", "Stage", "already exists"),
        ("Unit", "Conv2D", "library block"),
        ("Unit", "2fast", "must be a word"),
        ("Nope", "Other", "no sub-block named"),
    ],
)
def test_rename_definition_refuses_bad_names_and_changes_nothing(old, new, message) -> None:
    d = nested_stage()
    before = d.to_dict()
    with pytest.raises(DiagramError, match=message):
        rename_definition(d, old, new)
    assert d.to_dict() == before
