"""Exports that take raw inputs: the training pipeline baked into the graph, and its record.

With ``bake`` on (the default), a ``.pt2`` or ONNX export of a model trained on normalised
data contains the normalisation itself (``train.pipeline.WithInputPipeline``), so its input
is what ``InputPipeline.raw_input_text`` says: 0..1 pixels or raw column values. With it
off the graph takes normalised inputs and the stored record says how to normalise them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from netbuilder.export.verify import ValidationSet
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


@dataclass
class TrainingInputs:
    """A checkpoint's input pipeline and, when its data can be reloaded, raw validation
    samples to check exports with; ``warnings`` say what could not be done, in words."""

    pipeline: InputPipeline | None
    validation: ValidationSet | None
    warnings: list[str] = field(default_factory=list)


def training_inputs(checkpoint: Any, reload_data: bool = True) -> TrainingInputs:
    """Reload ``checkpoint``'s dataset (a train ``Checkpoint``) for its pipeline and samples.

    Without the data (moved, deleted) the export still carries the checkpoint's pipeline
    and is compared on random inputs only; data that changed since training (other
    statistics) is not used for the check either.
    """
    from netbuilder.train.checkpoint import CheckpointError, input_pipeline
    from netbuilder.train.config import ConfigError, TrainConfig
    from netbuilder.train.data import DataError, validation_samples
    from netbuilder.train.sources import load_data

    warnings: list[str] = []
    if reload_data:
        try:
            config = TrainConfig.from_dict(checkpoint.training or checkpoint.diagram.training)
            bundle = load_data(config, checkpoint.diagram)
            raw, prepared, targets = validation_samples(bundle)
        except (ConfigError, DataError, OSError, ValueError) as exc:
            warnings.append(
                f"the training data cannot be reloaded ({exc}); the export is checked on "
                "random inputs only, not on raw validation samples"
            )
        else:
            pipeline = checkpoint.pipeline or bundle.pipeline
            if pipeline is None or bundle.pipeline is None:
                warnings.append(
                    f"the dataset '{config.dataset}' records no input pipeline; the export "
                    "is checked on random inputs only"
                )
                return TrainingInputs(pipeline, None, warnings)
            if pipeline.to_dict() != bundle.pipeline.to_dict():
                warnings.append(
                    f"the training data '{config.dataset}' changed since this model was "
                    "trained; the export is checked on random inputs only"
                )
                return TrainingInputs(pipeline, None, warnings)
            return TrainingInputs(
                pipeline, ValidationSet(raw, prepared, targets, bundle.task), warnings
            )
    try:
        pipeline = checkpoint.pipeline or input_pipeline(checkpoint, reload_data=False)
    except CheckpointError as exc:
        return TrainingInputs(None, None, [*warnings, str(exc)])
    if pipeline.assumed:
        warnings.append(
            "this checkpoint predates recorded preprocessing; the export assumes inputs "
            "without normalisation"
        )
    return TrainingInputs(pipeline, None, warnings)
