"""`netbuilder predict MODEL.pt|.pt2 INPUT...`: a trained model's predictions on new files.

Inputs are read by the model's recorded input pipeline: image files or folders of them
(decoded, resized and cropped as in training), a CSV/TSV table with a header (the feature
columns by name; others, like the target, are ignored), token text (an argument, or a .txt
file with one text per line), or for sequence models a CSV of time steps × features.
Prints the top-k classes with probabilities, or the predicted values; ``--json`` for scripts.
Exit codes: 0 done, 2 a model or input that cannot be used (named in one line).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netbuilder.commands import EXIT_BAD_INPUT, EXIT_OK, command
from netbuilder.core.i18n import _

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
CHUNK = 64


class _Refused(Exception):
    """Input or model that cannot be used; the message is the one line printed."""


@dataclass
class _Predictor:
    """A loaded model: ``run`` maps a batch prepared by ``feed`` to outputs; ``pipeline``
    is the training pipeline (classes, task); ``feed`` differs from it for a .pt2 whose
    graph normalises its raw input itself."""

    run: Callable[[Any], Any]
    pipeline: Any
    feed: Any
    notes: list[str] = field(default_factory=list)


def _setup_predict(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", type=Path, help=_("trained model: a .pt checkpoint or a .pt2 export"))
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help=_(
            "image files or folders, a .csv/.tsv table, token text (or a .txt file of "
            "texts, one per line), or a .csv of time steps for sequence models"
        ),
    )
    p.add_argument("-k", "--top", type=int, default=3, help=_("classes to show per input (3)"))
    p.add_argument("--json", action="store_true", help=_("print JSON instead of text"))


@command("predict", _setup_predict)
def _predict(args: argparse.Namespace) -> int:
    """Predict classes (with probabilities) or values for new images, table rows or texts."""
    try:
        predictor = _open_model(args.model)
        names, batches = _read_inputs(args.inputs, predictor.pipeline)
        outputs = _run(predictor, batches)
    except _Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for note in predictor.notes:
        print(f"warning: {note}", file=sys.stderr)
    results = _results(names, outputs, predictor.pipeline, max(1, args.top))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for line in _text(results):
            print(line)
    return EXIT_OK


def _open_model(path: Path) -> _Predictor:
    """The model in ``path`` (.pt or .pt2) with its input pipeline."""
    from netbuilder.train.pipeline import InputPipeline

    if not path.is_file():
        raise _Refused(f"{path}: no such model file")
    suffix = path.suffix.lower()
    if suffix == ".pt2":
        from netbuilder.core.safe_load import safe_load_pt2
        from netbuilder.export.errors import UnsafeFileError
        from netbuilder.export.pt2 import EXTRA_FILE

        extra = {EXTRA_FILE: ""}
        try:
            program = safe_load_pt2(path, extra_files=extra).module()
            record = json.loads(extra[EXTRA_FILE] or "{}")
            pipeline = InputPipeline.from_dict(record["input_pipeline"])
        except (UnsafeFileError, ValueError, KeyError, TypeError) as exc:
            if isinstance(exc, KeyError):
                exc = ValueError("it records no input pipeline; export it again from its .pt")
            raise _Refused(f"{path}: cannot use this .pt2: {exc}") from None
        feed = pipeline
        if record.get("normalisation_in_graph"):  # the graph fills gaps and normalises
            feed = InputPipeline.from_dict(
                {**pipeline.to_dict(), "mean": None, "std": None, "fill": None}
            )
            # missing cells pass through as NaN; the graph fills them with the training means
            feed.fill = pipeline.fill and [float("nan")] * len(pipeline.fill)
        return _Predictor(program, pipeline, feed)
    if suffix != ".pt":
        raise _Refused(f"{path}: not a model; give a .pt checkpoint or a .pt2 export")
    from netbuilder.train.checkpoint import (
        CheckpointError,
        build_model,
        input_pipeline,
        load_checkpoint,
    )

    try:
        checkpoint = load_checkpoint(path)
        model = build_model(checkpoint).eval()
        pipeline = input_pipeline(checkpoint)
    except CheckpointError as exc:
        raise _Refused(str(exc) if exc.path else f"{path}: {exc}") from None
    notes = []
    if pipeline.assumed:
        notes.append(
            f"{path.name} records no preprocessing and its training data is not available; "
            "inputs are used without normalisation, so predictions may be off"
        )
    return _Predictor(model, pipeline, pipeline, notes)


def _read_inputs(items: list[str], pipeline: Any) -> tuple[list[str], list[Any]]:
    """(a name per sample, preprocessed batches) for the model's kind of input."""
    from netbuilder.train.preprocess import InputError

    try:
        if pipeline.kind == "image":
            files = _image_files(items)
            batches = [files[i : i + CHUNK] for i in range(0, len(files), CHUNK)]
            return [str(f) for f in files], batches
        if pipeline.kind == "table":
            return _table_rows(items, pipeline)
        if pipeline.kind == "tokens":
            texts = _texts(items)
            return texts, [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
        return _sequences(items)
    except InputError as exc:
        raise _Refused(str(exc)) from None


def _image_files(items: list[str]) -> list[Path]:
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES
            )
            if not found:
                raise _Refused(f"the folder '{path}' holds no image files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise _Refused(f"'{path}': no such image file or folder")
    return files


def _table_rows(items: list[str], pipeline: Any) -> tuple[list[str], list[Any]]:
    import csv

    names: list[str] = []
    rows: list[dict[str, str]] = []
    columns = list(pipeline.columns or [])
    for item in items:
        path = Path(item)
        if not path.is_file():
            raise _Refused(f"'{path}': no such table file (a .csv with a header row)")
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        try:
            with path.open(newline="", encoding="utf-8-sig") as fh:
                reader = csv.DictReader(fh, delimiter=delimiter)
                header = [h.strip() for h in reader.fieldnames or []]
                missing = [c for c in columns if c not in header]
                if missing:
                    raise _Refused(
                        f"'{path.name}' has no column(s) {', '.join(missing)}; the model needs "
                        f"{', '.join(columns)} (the file has {', '.join(header) or 'none'})"
                    )
                for n, row in enumerate(reader, start=2):
                    row = {(k or "").strip(): v for k, v in row.items()}
                    if any((v or "").strip() for v in row.values()):
                        rows.append(row)
                        names.append(f"{path.name}:{n}")
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise _Refused(f"cannot read the table '{path}': {exc}") from None
    if not rows:
        raise _Refused("the table(s) hold no data rows")
    return names, [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]


def _texts(items: list[str]) -> list[str]:
    texts: list[str] = []
    for item in items:
        path = Path(item)
        if path.suffix.lower() == ".txt" and path.is_file():
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise _Refused(f"cannot read '{path}': {exc}") from None
            texts.extend(line for line in lines if line.strip())
        else:
            texts.append(item)
    if not texts:
        raise _Refused("no text to predict on")
    return texts


def _sequences(items: list[str]) -> tuple[list[str], list[Any]]:
    import csv

    samples = []
    for item in items:
        path = Path(item)
        if not path.is_file():
            raise _Refused(f"'{path}': no such file (a .csv of time steps × features)")
        try:
            with path.open(newline="", encoding="utf-8-sig") as fh:
                rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
            if rows and not _numeric(rows[0]):
                rows = rows[1:]  # a header
            samples.append([[float(c) for c in r] for r in rows])
        except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
            raise _Refused(f"cannot read the sequence '{path}': {exc}") from None
    return items, [[s] for s in samples]


def _numeric(row: list[str]) -> bool:
    try:
        [float(c) for c in row]
    except ValueError:
        return False
    return True


def _run(predictor: _Predictor, batches: list[Any]) -> Any:
    """Preprocess each batch as the model expects it and run the model."""
    import torch

    from netbuilder.train.preprocess import InputError

    outs = []
    for batch in batches:
        try:
            x = predictor.feed.preprocess(batch)
        except InputError as exc:
            raise _Refused(str(exc)) from None
        with torch.no_grad():
            out = predictor.run(x)
        out = out[0] if isinstance(out, tuple | list) else out
        outs.append(out.detach().float().cpu())
    return torch.cat(outs)


def _results(names: list[str], outputs: Any, pipeline: Any, top: int) -> list[dict[str, Any]]:
    import torch

    results: list[dict[str, Any]] = []
    if pipeline.task == "classification" and pipeline.classes:
        probs = torch.softmax(outputs, dim=1)
        k = min(top, probs.shape[1])
        values, indices = probs.topk(k, dim=1)
        for name, v, i in zip(names, values.tolist(), indices.tolist(), strict=True):
            top_list = [
                {"class": pipeline.classes[c], "probability": round(p, 6)}
                for p, c in zip(v, i, strict=True)
            ]
            results.append({"input": name, "top": top_list})
        return results
    for name, row in zip(names, outputs.tolist(), strict=True):
        results.append({"input": name, "value": row if len(row) != 1 else row[0]})
    return results


def _text(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for r in results:
        if "top" in r:
            best = "  ".join(f"{t['class']} {t['probability']:.1%}" for t in r["top"])
            lines.append(f"{r['input']}: {best}")
        else:
            value = r["value"]
            shown = (
                ", ".join(f"{v:.6g}" for v in value) if isinstance(value, list) else f"{value:.6g}"
            )
            lines.append(f"{r['input']}: {shown}")
    return lines
