"""Files: title and modified mark, unsaved-changes prompts, failed loads, recent files,
examples, dropped files, .pt checkpoints, image export and ``netbuilder render``."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from netbuilder.cli import main as cli_main
from netbuilder.core.io import dumps, load
from netbuilder.gui.app import ensure_app
from netbuilder.resources import EXAMPLES_DIR, example_paths
from tests.gui.ui import drag_enter_event

CNN = EXAMPLES_DIR / "cnn_image_classifier.nbd"
Btn = QMessageBox.StandardButton


@pytest.fixture
def answer(monkeypatch):
    """Answer the unsaved-changes question with a chosen button; records each question."""
    asked: list[str] = []
    choice = {"button": Btn.Cancel}

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return choice["button"]

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    warnings: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda p, t, text, *a, **k: warnings.append(text))
    )
    return asked, choice, warnings


def test_close_with_unsaved_changes_asks(window, answer, tmp_path: Path) -> None:
    asked, choice, _ = answer
    window.editor.add_block("ReLU", (0.0, 0.0))
    assert window.isWindowModified() and window.windowTitle().startswith("Untitled[*]")
    choice["button"] = Btn.Cancel
    assert not window.close()
    assert window.isVisible() and len(asked) == 1
    choice["button"] = Btn.Discard
    assert window.close()
    assert len(asked) == 2


def test_save_answer_saves_before_closing(window, answer, tmp_path: Path) -> None:
    _asked, choice, _ = answer
    path = tmp_path / "net.nbd"
    window.files.open(CNN)
    window.files.save_to(path)
    window.editor.set_param("conv1", "out_channels", 20)
    assert window.isWindowModified()
    choice["button"] = Btn.Save
    assert window.close()
    assert load(path).nodes["conv1"].params["out_channels"] == 20


def test_new_and_open_ask_first(window, answer) -> None:
    _asked, choice, _ = answer
    window.editor.add_block("ReLU", (0.0, 0.0))
    choice["button"] = Btn.Cancel
    assert not window.files.new()
    assert not window.files.open(CNN)
    assert len(window.session.diagram.nodes) == 1
    choice["button"] = Btn.Discard
    assert window.files.open(CNN)
    assert len(window.session.diagram.nodes) == 12 and not window.isWindowModified()
    assert window.windowTitle().startswith("cnn_image_classifier.nbd")


def test_broken_file_shows_reason_and_keeps_diagram(window, answer, tmp_path: Path) -> None:
    _, _, warnings = answer
    window.files.open(CNN)
    before = dumps(window.session.diagram)
    bad = tmp_path / "broken.nbd"
    bad.write_text('{"format": "netbuilder-diagram", "format_version": 99, "nodes": []}')
    assert not window.files.open(bad)
    assert "newer NetBuilder" in warnings[-1] and "broken.nbd" in warnings[-1]
    assert dumps(window.session.diagram) == before
    (tmp_path / "cut.nbd").write_text(CNN.read_text()[:300])
    assert not window.files.open(tmp_path / "cut.nbd")
    assert "not valid JSON" in warnings[-1]
    assert dumps(window.session.diagram) == before


def test_save_is_atomic_and_recent_files_persist(
    window, answer, tmp_path: Path, make_window
) -> None:
    window.files.open(CNN)
    path = tmp_path / "a.nbd"
    assert window.files.save_to(path)
    assert load(path).to_dict()["nodes"] == window.session.diagram.to_dict()["nodes"]
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))
    assert window.files.recent()[0] == str(path.resolve())
    other = make_window()  # a later session sees the recent file
    assert str(path.resolve()) in [a.text() for a in other.recent_menu.actions()]
    # saving into a folder that does not exist fails with a message and keeps the state
    window.editor.add_block("ReLU", (0.0, 400.0))
    assert not window.files.save_to(tmp_path / "missing" / "b.nbd")
    assert "missing" in answer[2][-1]
    assert window.isWindowModified() and window.session.path == path.resolve()


def test_examples_menu_lists_every_example(window) -> None:
    titles = [a.text() for a in window.examples_menu.actions()]
    assert len(titles) == len(example_paths())
    window.examples_menu.actions()[0].trigger()
    assert window.session.diagram.nodes and window.session.path is None  # a template


def test_dropping_a_file_on_the_window_opens_it(window) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(CNN))])
    pos = QPointF(20, 20)
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = drag_enter_event(pos, mime)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(pos, *args))
    assert len(window.session.diagram.nodes) == 12


def test_open_checkpoint_keeps_weights(window, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from netbuilder.core.compile import compile_diagram
    from netbuilder.train.checkpoint import save_checkpoint

    diagram = load(CNN)
    model = compile_diagram(diagram)
    path = tmp_path / "trained.pt"
    save_checkpoint(path, diagram, model, training=diagram.training)
    assert window.files.open(path)
    sd = window.session.state_dict
    assert sd is not None and set(sd) == set(model.state_dict())
    assert torch.equal(next(iter(sd.values())), next(iter(model.state_dict().values())))
    assert window.windowTitle().startswith("trained.pt")
    assert window.session.path is None  # Save asks for a .nbd name


def test_export_images_from_scene(window, tmp_path: Path) -> None:
    from netbuilder.gui.canvas.image_export import save_scene_image

    window.files.open(CNN)
    png = save_scene_image(window.scene, tmp_path / "d.png", scale=1.0)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = save_scene_image(window.scene, tmp_path / "d.svg").read_text()
    assert "<svg" in svg and "B×16×32×32" in svg


def test_render_command_writes_png_and_svg(tmp_path: Path, qapp, capsys) -> None:
    ensure_app()
    assert cli_main(["render", str(CNN), "-o", str(tmp_path / "cnn.png")]) == 0
    assert (tmp_path / "cnn.png").read_bytes()[:4] == b"\x89PNG"
    assert cli_main(["render", str(CNN), "-o", str(tmp_path / "cnn.svg")]) == 0
    assert "Conv2d" in (tmp_path / "cnn.svg").read_text()
    assert cli_main(["render", str(tmp_path / "nope.nbd"), "-o", str(tmp_path / "x.png")]) == 2
    assert cli_main(["render", str(CNN), "-o", str(tmp_path / "x.jpg")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and ".png or .svg" in err
