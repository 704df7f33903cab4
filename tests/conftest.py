"""Test-wide settings: Qt without a display, deterministic torch on the 2-core CI machines."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
