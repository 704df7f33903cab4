"""What a block type is: the single declaration every part of NetBuilder reads.

The palette, the inspector form, validation, shape inference, the compiler, the code
generator and the file format all take their knowledge of a block from its ``BlockSpec``
(DESIGN rule 4), so adding a block is one entry in one family module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.i18n import _
from netbuilder.core.tensor import TensorSpec
from netbuilder.core.text import quoted

if TYPE_CHECKING:
    from torch import nn

PARAM_KINDS = ("int", "float", "bool", "choice", "ints", "padding", "str")


class ParamError(ValueError):
    """A parameter value that the block cannot accept; the message names the parameter."""


@dataclass(frozen=True, slots=True)
class Param:
    """One typed, documented, range-checked block parameter.

    ``optional`` parameters accept ``None``, which means "infer it from the input" for sizes
    such as ``in_channels``; an explicit value is then checked against the input instead.
    """

    name: str
    kind: str
    default: Any
    doc: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] = ()
    optional: bool = False

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")

    def validate(self, value: Any) -> Any:
        """Return the normalised value or raise ``ParamError`` in a learner's words."""
        if value is None:
            if self.optional:
                return None
            raise ParamError(_("'{name}' needs a value").format(name=self.name))
        kind = self.kind
        if kind == "bool":
            if not isinstance(value, bool):
                raise ParamError(
                    _("'{name}' must be true or false, not {value}").format(
                        name=self.name, value=quoted(value)
                    )
                )
            return value
        if kind == "int":
            return self._check_range(_as_int(self.name, value))
        if kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ParamError(
                    _("'{name}' must be a number, not {value}").format(
                        name=self.name, value=quoted(value)
                    )
                )
            if not math.isfinite(value):
                raise ParamError(
                    _("'{name}' must be a finite number, not {value}").format(
                        name=self.name, value=quoted(value)
                    )
                )
            return self._check_range(float(value))
        if kind == "choice":
            if value not in self.choices:
                options = ", ".join(str(c) for c in self.choices)
                raise ParamError(
                    _("'{name}' must be one of {options}, not {value}").format(
                        name=self.name, options=options, value=quoted(value)
                    )
                )
            return value
        if kind == "ints":
            if not isinstance(value, list | tuple) or not value:
                raise ParamError(
                    _("'{name}' must be a non-empty list of whole numbers").format(name=self.name)
                )
            out = [_as_int(self.name, v) for v in value]
            if len(out) > 8:
                raise ParamError(_("'{name}' may hold at most 8 numbers").format(name=self.name))
            for v in out:
                if self.min is not None and v < self.min and v != -1:
                    raise ParamError(
                        _("'{name}' values must be at least {min}").format(
                            name=self.name, min=f"{self.min:g}"
                        )
                    )
                if self.max is not None and v > self.max:
                    raise ParamError(
                        _("'{name}' values must be at most {max}").format(
                            name=self.name, max=f"{self.max:g}"
                        )
                    )
            return out
        if kind == "padding":
            if value in ("same", "valid"):
                return value
            return self._check_range(_as_int(self.name, value))
        if kind == "str":
            if not isinstance(value, str):
                raise ParamError(
                    _("'{name}' must be text, not {value}").format(
                        name=self.name, value=quoted(value)
                    )
                )
            if len(value) > 200:
                raise ParamError(
                    _("'{name}' is too long (at most 200 characters)").format(name=self.name)
                )
            return value
        raise AssertionError(kind)  # pragma: no cover - kinds are checked in __post_init__

    def _check_range(self, value: float) -> Any:
        if self.min is not None and value < self.min:
            raise ParamError(
                _("'{name}' must be at least {min}, not {value}").format(
                    name=self.name, min=f"{self.min:g}", value=f"{value:g}"
                )
            )
        if self.max is not None and value > self.max:
            raise ParamError(
                _("'{name}' must be at most {max}, not {value}").format(
                    name=self.name, max=f"{self.max:g}", value=f"{value:g}"
                )
            )
        return value


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
        raise ParamError(
            _("'{name}' must be a whole number, not {value}").format(name=name, value=quoted(value))
        )
    return value


InferFn = Callable[[dict[str, Any], list[TensorSpec]], list[TensorSpec]]
ModuleFn = Callable[[dict[str, Any], list[TensorSpec]], "tuple[type[nn.Module], dict[str, Any]]"]
CountFn = Callable[[dict[str, Any], list[TensorSpec]], int]
PortsFn = Callable[[dict[str, Any]], tuple[str, ...]]


@dataclass(frozen=True)
class Merge:
    """How a parameter-free merge block becomes ``call_function`` nodes and Python code.

    ``op`` is ``"add"``, ``"mul"`` or ``"cat"``; the compiler and the code generator both
    read it, so the two can never disagree on what a merge computes.
    """

    op: str


@dataclass(frozen=True)
class BlockSpec:
    """Everything NetBuilder knows about one block type.

    ``module(params, inputs)`` returns the ``nn.Module`` class and constructor keyword
    arguments; the compiler instantiates them and the code generator prints them, so both
    always build the same layer. ``infer(params, inputs)`` gives the output specs by a rule
    of the block's own (fast, exact; checked against real forward passes by property tests).

    ``count(params, inputs)`` gives the layer's number of learnable parameters by formula,
    so checking a diagram never imports torch (``netbuilder check`` starts in a fraction of
    a second); property tests compare it with the real layer. Without it the checker builds
    the layer on torch's ``meta`` device instead: exact, but torch must be loaded. The
    ``module`` functions import torch only when called, for the same reason.
    """

    type: str
    category: str
    doc: str
    infer: InferFn
    params: tuple[Param, ...] = ()
    inputs: tuple[str, ...] | PortsFn = ("in",)
    outputs: tuple[str, ...] | PortsFn = ("out",)
    module: ModuleFn | None = None
    count: CountFn | None = None
    merge: Merge | None = None
    key_params: tuple[str, ...] = ()
    role: str = "layer"  # "input", "output" or "layer"
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.type}: duplicate parameter names")

    @cached_property
    def param_map(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}

    def defaults(self) -> dict[str, Any]:
        return {
            p.name: (list(p.default) if isinstance(p.default, list) else p.default)
            for p in self.params
        }

    def input_ports(self, params: dict[str, Any]) -> tuple[str, ...]:
        return self.inputs(params) if callable(self.inputs) else self.inputs

    def output_ports(self, params: dict[str, Any]) -> tuple[str, ...]:
        return self.outputs(params) if callable(self.outputs) else self.outputs

    def validate_params(
        self, params: dict[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Normalise ``params`` over the defaults; return it with (name, message) problems.

        Unknown names are reported; invalid values fall back to the default so the rest
        of the diagram can still be checked.
        """
        specs = self.param_map
        out = self.defaults()
        problems: list[tuple[str, str]] = []
        for name, value in params.items():
            spec = specs.get(name)
            if spec is None:
                problems.append(
                    (
                        name,
                        _("{block} has no parameter {name}").format(
                            block=self.type, name=quoted(name)
                        ),
                    )
                )
                continue
            try:
                out[name] = spec.validate(value)
            except ParamError as exc:
                problems.append((name, str(exc)))
        return out, problems


def no_parameters(params: dict[str, Any], inputs: list[TensorSpec]) -> int:
    """``BlockSpec.count`` of layers that learn nothing (activations, pooling, reshapes)."""
    return 0


def torch_layer(name: str) -> type[nn.Module]:
    """``torch.nn.<name>``, imported on first use (see ``BlockSpec.count``)."""
    from torch import nn

    return getattr(nn, name)


def own_layer(name: str) -> type[nn.Module]:
    """``netbuilder.core.layers.<name>``, imported on first use (it imports torch)."""
    from netbuilder.core import layers

    return getattr(layers, name)


def single(inputs: Sequence[TensorSpec]) -> TensorSpec:
    """The one input of a single-input block (the shape checker guarantees it is there)."""
    return inputs[0]


def need_rank(block: str, spec: TensorSpec, ranks: Sequence[int], what: str) -> None:
    """Raise a learner-friendly ShapeError unless the input has one of ``ranks`` dims."""
    if spec.dtype == "long" and what != "token ids":
        raise ShapeError(
            _("{block} needs {what} but receives token ids of shape {shape}").format(
                block=block, what=_(what), shape=spec_text(spec)
            ),
            _("Put an Embedding after a token input to turn ids into vectors."),
        )
    if spec.rank not in ranks:
        expected = _(" or ").join(spec_text_rank(r) for r in ranks)
        raise ShapeError(
            _("{block} expects {what} ({expected}) but receives {shape}").format(
                block=block, what=_(what), expected=expected, shape=spec_text(spec)
            ),
            _rank_hint(spec.rank, ranks),
        )


def spec_text(spec: TensorSpec) -> str:
    return "×".join(["B", *(str(d) for d in spec.shape)])


def spec_text_rank(rank: int) -> str:
    letters = {0: "B", 1: "B×F", 2: "B×T×F", 3: "B×C×H×W"}
    return letters.get(rank, "B" + "×?" * rank)


def _rank_hint(have: int, want: Sequence[int]) -> str:
    if have > max(want):
        return _("Add a Flatten or a pooling block before it to reduce the dimensions.")
    if have < min(want):
        return _("Add a Reshape before it to give the tensor the dimensions this block needs.")
    return ""
