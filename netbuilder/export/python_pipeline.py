"""The raw-input half of the Python export: ``PIPELINE``, ``preprocess()`` and ``predict()``.

``preprocess`` is ``netbuilder.train.preprocess`` copied verbatim (the same code the app,
``netbuilder predict`` and image-folder training run), with its ``PIPELINE`` line replaced by
the model's own pipeline; ``predict`` chains it with the model. The generated docstring says
exactly what raw input each accepts.
"""

from __future__ import annotations

import pprint
import textwrap
from pathlib import Path

from netbuilder.export.errors import ExportError
from netbuilder.train import preprocess as runtime
from netbuilder.train.pipeline import InputPipeline

_MARKER = "PIPELINE: dict[str, Any] = {}"


def _runtime_source() -> str:
    """The runtime module's code without its docstring and ``__future__`` import."""
    text = Path(runtime.__file__).read_text(encoding="utf-8")
    _, sep, body = text.partition("from __future__ import annotations\n")
    if not sep or _MARKER not in body:
        raise ExportError("the preprocessing source has an unexpected layout")
    return body.strip("\n")


def accepted_inputs(pipeline: InputPipeline) -> str:
    """The raw inputs ``preprocess``/``predict`` take, in words (for the docstring)."""
    if pipeline.kind == "image":
        return (
            "image file paths or PIL images (one or a list), decoded exactly as in training "
            "(needs Pillow); or a float32 tensor of 0..1 pixels, C×H×W or N×C×H×W, at the "
            "model's size"
        )
    if pipeline.kind == "table":
        return (
            "a dict {column: value} per row (one or a list; extra keys such as the target are "
            "ignored), rows of values in COLUMNS order, or an N×F float tensor of raw values"
        )
    if pipeline.kind == "tokens":
        return (
            "a text of whitespace-separated token ids (one or a list), lists of ids, or an "
            "int64 tensor; shorter sequences are padded"
        )
    return "a float tensor (or nested lists) of the input shape, with or without batch"


def pipeline_source(pipeline: InputPipeline, classes: list[str]) -> str:
    """Module-level code appended to ``model.py``: pipeline, preprocess, predict."""
    record = pprint.pformat(pipeline.to_dict(), width=95, sort_dicts=False)
    body = _runtime_source().replace(_MARKER, f"PIPELINE: dict[str, Any] = {record}", 1)
    columns = f"COLUMNS = {pipeline.columns!r}\n" if pipeline.columns else ""
    classify = pipeline.task == "classification" and bool(classes)
    returns = (
        "a float tensor N × len(CLASSES) of class probabilities (softmax), columns in\n"
        "    CLASSES order; ``CLASSES[p.argmax(1)]`` names the predicted classes"
        if classify
        else "the model's output tensor (N × outputs), e.g. the predicted values"
    )
    return f'''

# ---------------------------------------------------------------- input preprocessing
# The pipeline this model was trained with, and the code that applies it to raw inputs
# (netbuilder.train.preprocess, copied).
{columns}
{body}

_MODEL = None


def predict(inputs, model=None):
    """Predictions for raw inputs: ``preprocess(inputs)`` then the model (eval mode).

    {_wrap("inputs: " + accepted_inputs(pipeline) + ".", "    ")}
    model: a loaded model; default ``load_model()`` (loaded once).
    Returns {returns}.
    """
    global _MODEL
    if model is None:
        if _MODEL is None:
            _MODEL = load_model()
        model = _MODEL
    x = preprocess(inputs)
    with torch.no_grad():
        out = model.eval()(x)
    if isinstance(out, (tuple, list)):
        out = out[0]
    return {"torch.softmax(out, dim=1)" if classify else "out"}
'''


def pipeline_usage(pipeline: InputPipeline) -> list[str]:
    """Docstring lines: raw inputs through predict()."""
    prepared = pipeline.raw_input_text(False)
    return [
        "",
        "Raw inputs (the preprocessing used in training is built in)::",
        "",
        "    from model import predict, CLASSES",
        "    probabilities = predict(inputs)",
        "",
        _wrap(f"``predict``/``preprocess`` take {accepted_inputs(pipeline)}."),
        _wrap("The model class itself takes the preprocessed batch: " + prepared + "."),
    ]


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, 92, subsequent_indent=indent)
