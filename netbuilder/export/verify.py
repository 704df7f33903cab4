"""Sample batches from a diagram's inputs, and the comparison every export ends with.

An export is only trusted once the written file has been reloaded and run: a format can
silently change numerics (ONNX operator choices) or freeze the batch size (a missed dynamic
dimension), and neither shows until someone runs the file.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from netbuilder.core.compile import live_nodes
from netbuilder.core.diagram import Diagram
from netbuilder.core.naming import python_names
from netbuilder.core.shapes import Analysis, check
from netbuilder.core.tensor import TensorSpec
from netbuilder.export.errors import ExportError, VerificationError

TRACE_BATCH = 2  # torch.export specialises sizes 0 and 1, so trace with 2
VERIFY_BATCHES = (3, 1)  # a batch size not traced with proves the batch dimension is dynamic
ABS_TOLERANCE = 1e-5


@dataclass(frozen=True)
class ModelInputs:
    """The model's inputs in ``forward`` argument order."""

    node_ids: tuple[str, ...]
    names: tuple[str, ...]  # forward argument names (also the ONNX input names)
    specs: tuple[TensorSpec, ...]

    def example(self, batch: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
        """Random inputs of these specs; the seed keeps the global RNG untouched."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return tuple(spec.example(batch) for spec in self.specs)

    def describe(self) -> list[dict[str, Any]]:
        """Plain-data description stored beside exports so users know what to feed."""
        return [
            {"name": n, "shape": ["batch", *s.shape], "dtype": s.dtype, "vocab": s.vocab}
            for n, s in zip(self.names, self.specs, strict=True)
        ]


def model_inputs(diagram: Diagram, analysis: Analysis | None = None) -> ModelInputs:
    """Inputs in the order ``compile_diagram`` and ``generate_code`` declare them."""
    analysis = analysis or check(diagram)
    if not analysis.ok:
        raise ExportError(
            "the diagram has errors; fix them before exporting: "
            + "; ".join(str(d) for d in analysis.errors[:3])
        )
    names = python_names(diagram.nodes)
    ids = tuple(n for n in live_nodes(diagram, analysis) if analysis.roles.get(n) == "input")
    return ModelInputs(
        ids, tuple(names[n] for n in ids), tuple(analysis.nodes[n].outputs["out"] for n in ids)
    )


@contextlib.contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Run ``model`` in eval mode (dropout off, running BatchNorm stats), then restore it."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


def flatten_outputs(value: Any) -> list[torch.Tensor]:
    """A model's result as a flat list of tensors (one per Output block)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, list | tuple):
        out: list[torch.Tensor] = []
        for item in value:
            out.extend(flatten_outputs(item))
        return out
    raise ExportError(f"the model returned {type(value).__name__}, not tensors")


def max_abs_difference(expected: Sequence[torch.Tensor], actual: Sequence[Any]) -> float:
    """Largest absolute difference over all outputs; mismatched shapes raise."""
    if len(expected) != len(actual):
        raise VerificationError(
            f"the exported model returns {len(actual)} outputs, the diagram {len(expected)}"
        )
    worst = 0.0
    for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
        a_t = torch.as_tensor(a).detach().to("cpu")
        if tuple(a_t.shape) != tuple(e.shape):
            raise VerificationError(
                f"output {i} has shape {tuple(a_t.shape)} in the export but "
                f"{tuple(e.shape)} in the app"
            )
        if e.numel():
            worst = max(worst, (a_t.double() - e.double()).abs().max().item())
    return worst


def tolerance_for(expected: Sequence[torch.Tensor]) -> float:
    """1e-5, scaled up for outputs far above 1 (float32 rounding grows with magnitude)."""
    peak = max((e.abs().max().item() for e in expected if e.numel()), default=0.0)
    return ABS_TOLERANCE * max(1.0, peak)


@dataclass
class ExportResult:
    """What an export wrote and how closely the reloaded file matched the app."""

    format: str
    paths: list[Path]
    max_abs_diff: float
    tolerance: float
    batches: tuple[int, ...]
    export_seconds: float
    verify_seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.max_abs_diff <= self.tolerance

    def summary(self) -> str:
        files = ", ".join(str(p) for p in self.paths)
        text = (
            f"wrote {files}; verified on batches of {'/'.join(map(str, self.batches))}: "
            f"largest difference {self.max_abs_diff:.2e} (tolerance {self.tolerance:.0e})"
        )
        return "; ".join([text, *self.notes])


def verify(
    fmt: str,
    model: nn.Module,
    inputs: ModelInputs,
    run_export: Callable[[tuple[torch.Tensor, ...]], Any],
) -> tuple[float, float, tuple[int, ...]]:
    """Run the in-app model and the reloaded export on the same batches.

    Returns (largest difference, tolerance, batch sizes); raises ``VerificationError`` when
    the difference is above tolerance, naming the format and the figure.
    """
    worst, tol = 0.0, 0.0
    for i, batch in enumerate(VERIFY_BATCHES):
        sample = inputs.example(batch, seed=1234 + i)
        with eval_mode(model):
            expected = flatten_outputs(model(*sample))
        try:
            actual = run_export(sample)
        except VerificationError:
            raise
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise VerificationError(
                f"the exported {fmt} file fails to run on a batch of {batch}: {first}"
            ) from None
        worst = max(worst, max_abs_difference(expected, flatten_outputs(actual)))
        tol = max(tol, tolerance_for(expected))
    if not worst <= tol:  # also catches NaN
        raise VerificationError(
            f"the exported {fmt} model differs from the app's model by {worst:.3g} "
            f"(tolerance {tol:.0e})",
            worst,
        )
    return worst, tol, VERIFY_BATCHES


class Stopwatch:
    """Seconds since creation; ``lap()`` returns and restarts."""

    def __init__(self) -> None:
        self._t = time.perf_counter()

    def lap(self) -> float:
        now = time.perf_counter()
        spent, self._t = now - self._t, now
        return spent


@dataclass
class ValidationSet:
    """Validation samples twice: ``raw`` as a deployed model is given them (0..1 pixels, raw
    column values, token ids) and ``prepared`` as the app fed them to the model."""

    raw: torch.Tensor
    prepared: torch.Tensor
    targets: torch.Tensor
    task: str = "classification"

    def __len__(self) -> int:
        return len(self.targets)


VALIDATION_CHUNK = 256


def _predict_chunks(run: Callable[[torch.Tensor], Any], x: torch.Tensor) -> torch.Tensor:
    parts = []
    for start in range(0, len(x), VALIDATION_CHUNK):
        out = flatten_outputs(run(x[start : start + VALIDATION_CHUNK]))[0]
        parts.append(torch.as_tensor(out).detach().to("cpu").float())
    return torch.cat(parts)


def score(outputs: torch.Tensor, targets: torch.Tensor, task: str) -> float:
    """Correct predictions (classification) or the mean squared error (regression)."""
    if task == "classification":
        return float((outputs.argmax(dim=1) == targets.view(-1)).sum().item())
    return float(((outputs.double() - targets.double().view_as(outputs)) ** 2).mean().item())


def check_validation(
    fmt: str,
    model: nn.Module,
    validation: ValidationSet,
    run_raw: Callable[[torch.Tensor], Any],
) -> str:
    """The app's model on ``prepared`` vs the export's documented path on ``raw``.

    Classification must get exactly the same number right; regression the same mean squared
    error to float32 rounding. Returns the note for ``ExportResult.notes``; raises
    ``VerificationError`` naming both figures otherwise.
    """
    n = len(validation)
    with eval_mode(model):
        expected = _predict_chunks(model, validation.prepared)
    try:
        actual = _predict_chunks(run_raw, validation.raw)
    except VerificationError:
        raise
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise VerificationError(
            f"the exported {fmt} model fails on raw validation samples: {first}"
        ) from None
    app, ours = (score(o, validation.targets, validation.task) for o in (expected, actual))
    if validation.task == "classification":
        if app != ours:
            raise VerificationError(
                f"given raw validation samples the exported {fmt} model gets {ours:.0f} of {n} "
                f"right, the app {app:.0f}"
            )
        return f"raw validation samples: {ours:.0f}/{n} right ({ours / n:.1%}), as in the app"
    if not abs(app - ours) <= 1e-5 * max(1.0, abs(app)):
        raise VerificationError(
            f"given raw validation samples the exported {fmt} model has mean squared error "
            f"{ours:.6g}, the app {app:.6g}"
        )
    return f"raw validation samples: mean squared error {ours:.4g} on {n}, as in the app"
