"""Test-wide settings: Qt without a display, deterministic torch on the 2-core CI machines."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Messages in English whatever the machine's locale (tests compare English text); subprocesses
# inherit it. Tests of the Chinese catalogue choose zh_CN themselves.
os.environ["NETBUILDER_LANG"] = "en"

import torch

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


import signal  # noqa: E402
import warnings  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def english_messages():
    """Every test starts in English; one that switches language cannot leak it to the next."""
    from netbuilder.core.i18n import ENV_VAR, set_language

    os.environ[ENV_VAR] = "en"  # `main(["--lang", ...])` sets it for the app's subprocesses
    set_language("en")
    yield
    os.environ[ENV_VAR] = "en"
    set_language("en")


@pytest.fixture(autouse=True)
def default_ctrl_c_handling(request: pytest.FixtureRequest):
    """Every test starts with Python's own Ctrl-C handler, and one that leaks another is named.

    Several tests send real SIGINTs to this process to check how training stops; a handler
    left behind by an earlier test (ignoring Ctrl-C, or exiting at once) would make them
    fail, or end the whole run, far from its cause.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    left = signal.getsignal(signal.SIGINT)
    if left is not signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        warnings.warn(f"{request.node.nodeid} left a SIGINT handler behind: {left!r}", stacklevel=1)
