"""What notebooks show above their results: the data's provenance label."""

from __future__ import annotations

from IPython.display import Markdown


def corpus_banner(corpus) -> Markdown:
    """A banner saying whether the outputs below come from synthetic data."""
    if corpus.synthetic:
        return Markdown(
            f"> **SYNTHETIC DATA.** Everything below is computed from the surrogate corpus "
            f"`{corpus.name}` (synthetic participant identifiers), generated to match the "
            "published aggregates. It describes no real participant."
        )
    return Markdown(f"> Computed from the coded corpus `{corpus.name}` (not synthetic).")
