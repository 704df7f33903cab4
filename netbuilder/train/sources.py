"""Which loader reads a dataset setting: built-in generators, image folders or tables.

Kept apart from ``data`` (the containers every loader returns) so the loaders can import
those containers without ``data`` importing them back: no import cycle in ``train``.
"""

from __future__ import annotations

from pathlib import Path

from netbuilder.core.diagram import Diagram
from netbuilder.core.i18n import _
from netbuilder.train.builtin import load_builtin
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle, DataError, input_spec
from netbuilder.train.folders import load_image_folder
from netbuilder.train.tables import load_table


def load_data(config: TrainConfig, diagram: Diagram) -> DataBundle:
    """Load or generate ``config.dataset`` shaped for the diagram's input block."""
    node_id, spec = input_spec(diagram)
    source = config.dataset.strip()
    if source.startswith("builtin:"):
        return load_builtin(source.removeprefix("builtin:"), spec, node_id, config)
    path = Path(source).expanduser()
    if not path.exists():
        raise DataError(
            _("the dataset '{dataset}' does not exist (no such file or folder)").format(
                dataset=source
            )
        )
    if path.is_dir():
        return load_image_folder(path, spec, node_id, config)
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        return load_table(path, spec, node_id, config)
    raise DataError(
        _(
            "the dataset '{dataset}' is neither an image folder nor a .csv/.tsv table nor "
            "'builtin:NAME'"
        ).format(dataset=source)
    )


__all__ = ["load_data"]
