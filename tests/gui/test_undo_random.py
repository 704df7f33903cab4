"""Random edit sequences: undo-all gives back the exact starting JSON, redo-all the end."""

from __future__ import annotations

import random

import pytest

from netbuilder.core.blocks import BLOCKS, get_block
from netbuilder.core.io import dumps, load
from netbuilder.resources import EXAMPLES_DIR

EXAMPLES = ["cnn_image_classifier.nbd", "small_resnet.nbd", "lstm_sequence_classifier.nbd"]


def random_edit(rng: random.Random, window) -> None:
    editor, d = window.editor, window.session.diagram
    ids = list(d.nodes)
    verb = rng.choice(
        ["add", "remove", "connect", "disconnect", "param", "move", "paste", "layout", "label"]
    )
    if verb == "add" or not ids:
        editor.add_block(rng.choice(list(BLOCKS)), (rng.uniform(-500, 500), rng.uniform(-300, 300)))
    elif verb == "remove":
        editor.remove(rng.sample(ids, k=min(len(ids), rng.randint(1, 3))))
    elif verb == "connect" and len(ids) > 1:
        a, b = rng.sample(ids, 2)
        na, nb = d.nodes[a], d.nodes[b]
        outs = get_block(na.type).output_ports(na.params)
        ins = get_block(nb.type).input_ports(nb.params)
        if outs and ins:
            editor.connect(a, rng.choice(outs), b, rng.choice(ins))
    elif verb == "disconnect" and d.edges:
        editor.disconnect(rng.choice(d.edges))
    elif verb == "param":
        nid = rng.choice(ids)
        spec = get_block(d.nodes[nid].type)
        ints = [p for p in spec.params if p.kind == "int" and not p.optional and p.max]
        if ints:
            p = rng.choice(ints)
            editor.set_param(nid, p.name, rng.randint(int(p.min or 0), int(min(p.max, 64))))
    elif verb == "move":
        chosen = rng.sample(ids, k=min(len(ids), 2))
        old = {n: d.nodes[n].position for n in chosen}
        editor.move(old, {n: (p[0] + 20, p[1] - 10) for n, p in old.items()})
    elif verb == "paste":
        editor.duplicate(rng.sample(ids, k=min(len(ids), 2)))
    elif verb == "layout":
        editor.auto_layout()
    elif verb == "label":
        editor.set_label(rng.choice(ids), rng.choice(["", "a", "encoder"]))


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_undo_redo_exact(window, seed: int) -> None:
    rng = random.Random(seed)
    example = load(EXAMPLES_DIR / EXAMPLES[seed % len(EXAMPLES)])
    window.session.replace(example, None)
    diagram, stack = window.session.diagram, window.session.undo_stack
    start = dumps(diagram)
    for _ in range(40):
        random_edit(rng, window)
    end = dumps(diagram)
    steps = stack.index()
    assert steps > 0
    while stack.canUndo():
        stack.undo()
    assert dumps(diagram) == start
    assert set(window.scene.nodes) == set(diagram.nodes)
    assert set(window.scene.edges) == set(diagram.edges)
    while stack.canRedo():
        stack.redo()
    assert dumps(diagram) == end
    assert set(window.scene.edges) == set(diagram.edges)
    # the canvas shows every node where the model says it is
    for nid, item in window.scene.nodes.items():
        assert (item.pos().x(), item.pos().y()) == diagram.nodes[nid].position


def test_param_edits_merge_per_field(window) -> None:
    """Edits merge while one field keeps the focus (the inspector's focus count)."""
    window.session.replace(load(EXAMPLES_DIR / "cnn_image_classifier.nbd"), None)
    stack = window.session.undo_stack
    for v in (8, 12, 20):
        window.editor.set_param("conv1", "out_channels", v, focus=1)
    assert stack.count() == 1  # one step for one field
    window.editor.set_param("conv1", "kernel_size", 5, focus=1)
    window.editor.set_param("conv2", "out_channels", 7, focus=1)
    assert stack.count() == 3
    window.editor.set_param("conv2", "out_channels", 9, focus=2)  # focus left and came back
    window.editor.set_param("conv2", "out_channels", 11)  # a script's edit: its own step
    assert stack.count() == 5
    stack.undo()
    stack.undo()
    stack.undo()
    stack.undo()
    stack.undo()
    assert window.session.diagram.nodes["conv1"].params["out_channels"] == 16
