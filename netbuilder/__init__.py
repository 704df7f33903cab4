"""NetBuilder: a visual neural-network builder whose diagrams compile to plain PyTorch."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("netbuilder")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
