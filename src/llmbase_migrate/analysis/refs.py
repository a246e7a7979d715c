"""What an expression denotes on the SDK side, as data: a :class:`Ref`."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from llmbase_migrate.analysis.facts import ClientKind
from llmbase_migrate.analysis.recording import ClassInfo

# How deep resolution follows names, attributes and calls before it gives up.
MAX_DEPTH = 24


class RefKind(enum.Enum):
    CLIENT = "client"  # an OpenAI client, or something reached from it
    MODULE = "module"  # the ``openai`` package
    OTHER = "other"  # another SDK
    UNRESOLVED = "unresolved"
    CLASS = "class"  # ``self`` or a class, resolved through recorded attributes
    FUNCTION = "function"


@dataclass(frozen=True, slots=True)
class Ref:
    """What an expression denotes on the SDK side (see :class:`RefKind`)."""

    kind: RefKind
    path: tuple[str, ...] = ()
    client_kind: ClientKind | None = None
    class_info: ClassInfo | None = None
    # for "function": the declared return type, which a call of it produces
    returns: cst.Annotation | None = None
    # for "function": its definition, whose ``return`` statements a call produces
    function: cst.FunctionDef | None = None
    # for "client": the constructor calls it may come from (empty when unknown, as for
    # a client reached through a type annotation)
    origins: frozenset[cst.Call] = frozenset()


UNRESOLVED = Ref(RefKind.UNRESOLVED)
OTHER = Ref(RefKind.OTHER)


def merge_refs(refs: Sequence[Ref]) -> Ref:
    """What an expression denotes when it may be any of ``refs``.

    The result depends on the refs only, never on their order (nor on any set's).
    """
    distinct = list(dict.fromkeys(refs))
    if len(distinct) == 1:
        return distinct[0]
    kinds = {ref.kind for ref in distinct}
    if kinds in ({RefKind.OTHER}, {RefKind.OTHER, RefKind.UNRESOLVED}):
        return OTHER
    if kinds <= {RefKind.CLIENT, RefKind.UNRESOLVED}:
        # Clients reached the same way merge into one (OpenAI's when kinds differ);
        # with unknown bindings beside them the name is most likely that client
        # (``client = None`` then ``client = OpenAI()``).
        clients = [ref for ref in distinct if ref.kind is RefKind.CLIENT]
        if len({ref.path for ref in clients}) == 1:
            client_kinds = {ref.client_kind for ref in clients}
            (client_kind,) = client_kinds if len(client_kinds) == 1 else (ClientKind.OPENAI,)
            origins = frozenset().union(*(ref.origins for ref in clients))
            return Ref(RefKind.CLIENT, clients[0].path, client_kind, origins=origins)
    return UNRESOLVED
