"""The empty canvas offers the examples: one click opens one, ready to train."""

from __future__ import annotations

from netbuilder.resources import EXAMPLES_DIR


def test_empty_canvas_offers_the_examples(qtbot, window) -> None:
    welcome = window.view.welcome
    qtbot.waitUntil(welcome.isVisible)
    cnn = EXAMPLES_DIR / "cnn_image_classifier.nbd"
    assert len(welcome.buttons) >= 6
    assert welcome.buttons[cnn].text() == "CNN image classifier  ·  builtin:shapes"
    assert "6 shapes" in welcome.buttons[cnn].toolTip()  # the example's own description
    titles = [a.text() for a in window.examples_menu.actions()]
    assert "LeNet-5" in titles and "LSTM sequence classifier" in titles  # File › Examples
    viewport = window.view.viewport().rect()
    assert viewport.contains(welcome.geometry())  # centred inside the canvas, not clipped
    welcome.buttons[cnn].click()
    assert "conv1" in window.session.diagram.nodes
    assert window.session.path is None  # a template: Save asks for a new name
    qtbot.waitUntil(lambda: not welcome.isVisible())
    assert window.files.new()
    qtbot.waitUntil(welcome.isVisible)


def test_adding_a_block_hides_the_welcome(qtbot, window) -> None:
    welcome = window.view.welcome
    qtbot.waitUntil(welcome.isVisible)
    window.editor.add_block("ReLU", (0.0, 0.0))
    qtbot.waitUntil(lambda: not welcome.isVisible())
    window.session.undo_stack.undo()
    qtbot.waitUntil(welcome.isVisible)


def test_a_click_on_an_example_opens_it_and_nothing_else(qtbot, window) -> None:
    """A real click on a welcome entry (its button had the focus, then hid) used to pop the
    add-block search up over the example: Qt moved the focus on, which the canvas took for
    Tab. Now only a Tab key opens the search, and the canvas gets the keyboard."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.show()
    window.activateWindow()
    welcome = window.view.welcome
    qtbot.waitUntil(welcome.isVisible)
    button = welcome.buttons[EXAMPLES_DIR / "small_resnet.nbd"]
    button.setFocus()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not welcome.isVisible())
    qtbot.wait(50)
    assert window.session.diagram.nodes
    assert window.view.popup is None or not window.view.popup.isVisible()
    assert window.view.hasFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Tab)  # the real Tab still opens it
    assert window.view.popup is not None and window.view.popup.isVisible()
