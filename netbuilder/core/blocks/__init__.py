"""The block library: every block type NetBuilder offers, one declaration each.

Families live in modules named after them; this package gathers them into ``BLOCKS`` in
palette order. Adding a block means adding one ``BlockSpec`` to its family's ``SPECS``.
"""

from __future__ import annotations

import difflib

from netbuilder.core.blocks import (
    activations,
    attention,
    conv,
    dense,
    inputs,
    merge,
    norm,
    opaque,
    outputs,
    pooling,
    ports,
    recurrent,
)
from netbuilder.core.blocks.spec import BlockSpec, Merge, Param, ParamError
from netbuilder.core.i18n import _
from netbuilder.core.text import quoted

CATEGORIES: tuple[str, ...] = (
    "Input",
    "Convolution",
    "Pooling",
    "Recurrent",
    "Attention",
    "Normalisation",
    "Activation",
    "Dense & shape",
    "Merge",
    "Output",
)

# Blocks that only importers create (the palette and the add-block search leave them out)
IMPORT_ONLY_CATEGORIES: tuple[str, ...] = (opaque.CATEGORY,)
# Blocks valid only inside a sub-block definition body (SubInput, SubOutput): the palette
# offers them only while a definition is being edited; at the top level they are an error.
BODY_ONLY_CATEGORIES: tuple[str, ...] = (ports.CATEGORY,)

BLOCKS: dict[str, BlockSpec] = {}
_ALIASES: dict[str, str] = {}

for _family in (
    inputs,
    conv,
    pooling,
    recurrent,
    attention,
    norm,
    activations,
    dense,
    merge,
    outputs,
    opaque,
    ports,
):
    for _spec in _family.SPECS:
        if _spec.type in BLOCKS:
            raise RuntimeError(f"block type {_spec.type} declared twice")
        if _spec.category not in CATEGORIES + IMPORT_ONLY_CATEGORIES + BODY_ONLY_CATEGORIES:
            raise RuntimeError(f"block type {_spec.type} has unknown category {_spec.category}")
        BLOCKS[_spec.type] = _spec
        for _alias in _spec.aliases:
            _ALIASES[_alias] = _spec.type


def suggest_block(type_name: str) -> list[str]:
    """Block types the user probably meant: ``Conv2D`` → Conv2d, ``Linaer`` → Linear.

    A match that differs only in case wins alone; otherwise up to two close spellings.
    """
    if not isinstance(type_name, str) or len(type_name) > 100:
        return []
    names = {n.lower(): n for n in BLOCKS} | {a.lower(): t for a, t in _ALIASES.items()}
    key = type_name.lower()
    if key in names:
        return [names[key]]
    close = difflib.get_close_matches(key, list(names), n=2, cutoff=0.7)
    return list(dict.fromkeys(names[c] for c in close))


def unknown_block_message(type_name: str) -> str:
    """``the unknown block type 'Conv2D'; did you mean Conv2d?`` (the name shortened)."""
    return _the_unknown_type(type_name, the=True)


def _the_unknown_type(type_name: str, the: bool) -> str:
    guesses = suggest_block(type_name)
    name = quoted(type_name)
    if guesses:
        names = _(" or ").join(guesses)
        if the:
            return _("the unknown block type {name}; did you mean {guesses}?").format(
                name=name, guesses=names
            )
        return _("unknown block type {name}; did you mean {guesses}?").format(
            name=name, guesses=names
        )
    if the:
        return _("the unknown block type {name}").format(name=name)
    return _("unknown block type {name}").format(name=name)


class UnknownBlockError(KeyError):
    """A block type name that the library does not know."""

    def __str__(self) -> str:
        return _the_unknown_type(self.args[0], the=False)


def get_block(type_name: str) -> BlockSpec:
    """The spec for ``type_name`` (or one of its aliases)."""
    spec = BLOCKS.get(type_name) or BLOCKS.get(_ALIASES.get(type_name, ""))
    if spec is None:
        raise UnknownBlockError(type_name)
    return spec


def blocks_in(category: str) -> list[BlockSpec]:
    return [s for s in BLOCKS.values() if s.category == category]


__all__ = [
    "BLOCKS",
    "BODY_ONLY_CATEGORIES",
    "CATEGORIES",
    "IMPORT_ONLY_CATEGORIES",
    "BlockSpec",
    "Merge",
    "Param",
    "ParamError",
    "UnknownBlockError",
    "blocks_in",
    "get_block",
    "suggest_block",
    "unknown_block_message",
]
