"""Block labels in Mermaid charts: ``Conv2d 32 k3``, ``ImageInput 3x32x32``, ``Dropout p=0.2``.

One grammar serves both directions, so a chart NetBuilder writes reads back to the same
blocks: the block type first, then leading numbers for the block's key sizes in order
(``AxBxC`` fills several), ``k3 s2 p1 d2 g4`` for convolution and pooling windows, and
``name=value`` for anything else (``true``/``false``, numbers, words, ``0x2x1`` lists).
Only letters, digits, spaces and ``= . _ : -`` are written, which Mermaid accepts everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from netbuilder.core.blocks import BLOCKS, BlockSpec, UnknownBlockError, get_block

SHORT = {"k": "kernel_size", "s": "stride", "p": "padding", "d": "dilation", "g": "groups"}
_LONG = {v: k for k, v in SHORT.items()}
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:e-?\d+)?$")
_DIMS = re.compile(r"^-?\d+(?:x-?\d+)+$")
_SHORT_RE = re.compile(r"^([ksdgp])(\d+|same|valid)$")
_LOWER = {name.lower(): name for name in BLOCKS}


class LabelError(ValueError):
    """A label that does not describe a block; the message says what is wrong."""


def _block_for(word: str) -> BlockSpec:
    try:
        return get_block(word)
    except UnknownBlockError:
        pass
    name = _LOWER.get(word.lower())
    if name is None:
        raise LabelError(f"'{word}' is not a NetBuilder block")
    return BLOCKS[name]


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "x".join(str(int(v)) for v in value)
    if isinstance(value, float):
        return repr(value)
    text = re.sub(r"[^A-Za-z0-9_.\-]", "_", str(value))
    return text or "_"


def label_for(type_name: str, params: dict[str, Any]) -> str:
    """The label of a block: type, key sizes, and every other non-default parameter."""
    spec = get_block(type_name)
    defaults = spec.defaults()
    parts = [spec.type]
    used: set[str] = set()
    lead = []
    for key in spec.key_params:
        value = params.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and key not in _LONG:
            lead.append(str(value))
            used.add(key)
        else:
            break
    if lead:
        parts.append("x".join(lead) if spec.role == "input" else " ".join(lead))
    for name in spec.param_map:
        if name in used:
            continue
        value = params.get(name, defaults[name])
        if value is None or (value == defaults[name] and type(value) is type(defaults[name])):
            continue
        if name in _LONG and (isinstance(value, int) or value in ("same", "valid")):
            parts.append(f"{_LONG[name]}{value}")
        else:
            parts.append(f"{name}={_value_text(value)}")
    return " ".join(parts)


def _parse_value(spec: BlockSpec, name: str, text: str) -> Any:
    kind = spec.param_map[name].kind
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise LabelError(f"{name} must be true or false, not '{text}'")
        return text.lower() == "true"
    if kind == "ints":
        if not (_DIMS.match(text) or re.match(r"^-?\d+$", text)):
            raise LabelError(f"{name} must be numbers joined by x (like 0x2x1), not '{text}'")
        return [int(v) for v in text.split("x")]
    if kind in ("int", "float", "padding") and _NUMBER.match(text):
        number = float(text)
        return int(number) if kind != "float" and number.is_integer() else number
    if kind in ("int", "float"):
        if text.lower() in ("none", "auto"):
            return None
        raise LabelError(f"{name} must be a number, not '{text}'")
    return text


def parse_label(text: str) -> tuple[str, dict[str, Any]]:
    """``Conv2d 32 k3`` → ("Conv2d", {"out_channels": 32, "kernel_size": 3}); LabelError."""
    words = text.split()
    if not words:
        raise LabelError("the label is empty")
    spec = _block_for(words[0])
    params: dict[str, Any] = {}
    keys = [k for k in spec.key_params if k not in _LONG or k == spec.key_params[0]]
    for word in words[1:]:
        short = _SHORT_RE.match(word)
        if "=" in word:
            name, _, value = word.partition("=")
            if name not in spec.param_map:
                raise LabelError(f"{spec.type} has no parameter '{name}'")
            params[name] = _parse_value(spec, name, value)
        elif short and SHORT[short.group(1)] in spec.param_map:
            name = SHORT[short.group(1)]
            params[name] = _parse_value(spec, name, short.group(2))
        elif _NUMBER.match(word) or _DIMS.match(word):
            for piece in word.split("x"):
                free = [k for k in keys if k not in params]
                if not free:
                    raise LabelError(f"{spec.type} has no more sizes to give '{piece}'")
                params[free[0]] = _parse_value(spec, free[0], piece)
        else:
            raise LabelError(f"'{word}' in '{text}' is neither a size nor name=value")
    return spec.type, params
