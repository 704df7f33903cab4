"""The desktop app: the only package that imports PySide6 and pyqtgraph."""

from netbuilder.gui.pyside_compat import make_singletons_immortal

make_singletons_immortal()  # before any Qt signal fires: see pyside_compat
