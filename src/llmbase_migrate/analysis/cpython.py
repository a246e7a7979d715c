"""CPython's parser and compiler run on the analysed code, its warnings kept quiet.

Parsing or compiling someone's code warns about *their* code (an invalid escape
sequence, ``x is 1``): such warnings are never shown on our stderr nor, under a
warnings "error" filter (``-W error``, pytest's), turned into errors that would make
valid code look broken. Every call of ``ast.parse`` or ``compile`` on analysed code
goes through here; the errors (SyntaxError, ValueError, RecursionError,
MemoryError) propagate for the caller to report.
"""

from __future__ import annotations

import ast
import contextlib
import warnings
from collections.abc import Iterator


def parse(source: str | bytes) -> ast.Module:
    """CPython's tree of ``source``, with the code's warnings ignored."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def compile_module(source: str | ast.Module, filename: str = "<file>") -> None:
    """Compile ``source`` as a module without inheriting our ``__future__`` imports,
    with the code's warnings ignored."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile(source, filename, "exec", dont_inherit=True)


@contextlib.contextmanager
def code_warnings_ignored() -> Iterator[None]:
    """Around work that may parse or evaluate the analysed code indirectly (LibCST's
    ``evaluated_value`` runs ``ast.literal_eval``): ignore the warnings CPython gives
    about code (SyntaxWarning; before 3.12 DeprecationWarning, "invalid escape
    sequence", "invalid decimal literal"). Other warnings, ours, still surface."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.filterwarnings("ignore", "invalid ", DeprecationWarning)
        yield
