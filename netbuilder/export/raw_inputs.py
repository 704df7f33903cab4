"""Exports that take raw inputs: the training pipeline baked into the graph, and its record.

With ``bake`` on (the default), a ``.pt2`` or ONNX export of a model trained on normalised
data contains the normalisation itself (``train.pipeline.WithInputPipeline``), so its input
is what ``InputPipeline.raw_input_text`` says: 0..1 pixels or raw column values. With it
off the graph takes normalised inputs and the stored record says how to normalise them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from netbuilder.train.pipeline import InputPipeline, WithInputPipeline
from netbuilder.train.preprocess import normalise


def bakeable(pipeline: InputPipeline | None) -> bool:
    """Whether there is anything to bake: a table or image pipeline that changes values."""
    return pipeline is not None and pipeline.kind in ("image", "table") and pipeline.normalises


def with_pipeline(
    model: nn.Module, pipeline: InputPipeline | None, bake: bool, n_inputs: int
) -> tuple[nn.Module, bool]:
    """(the module to export, whether normalisation is inside it)."""
    if bake and bakeable(pipeline) and n_inputs == 1:
        assert pipeline is not None
        return WithInputPipeline(model, pipeline).eval(), True
    return model, False


def raw_runner(
    run: Callable[[torch.Tensor], Any], pipeline: InputPipeline | None, baked: bool
) -> Callable[[torch.Tensor], Any]:
    """Run an export on raw inputs as its documentation says: as they are when the
    normalisation is baked in, else normalised first with the stored statistics."""
    if baked or pipeline is None or not pipeline.normalises:
        return run
    record = pipeline.to_dict()
    return lambda x: run(normalise(x, record))


def pipeline_record(pipeline: InputPipeline | None, baked: bool) -> dict[str, Any]:
    """What exports store beside the graph (``netbuilder.json``, ONNX metadata)."""
    if pipeline is None:
        return {}
    return {
        "input_pipeline": pipeline.to_dict(),
        "normalisation_in_graph": baked,
        "input": pipeline.raw_input_text(baked),
    }
