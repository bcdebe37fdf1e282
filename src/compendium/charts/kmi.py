"""The KMI figure: share of analysed participants mentioning each theme, Wilson 95% intervals."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from compendium.outputs.figures import mark_synthetic, palette


def kmi_figure(table2: pd.DataFrame, corpus_label: str, synthetic: bool, confidence: float):
    """Horizontal point-and-interval chart of Table 2; returns ``(figure, alt_text)``."""
    order = table2.iloc[::-1]
    y = np.arange(len(order))
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    colour = palette(1)[0]
    ax.hlines(y, order["ci_low"], order["ci_high"], color=colour, linewidth=2.5, alpha=0.6)
    ax.plot(order["percent"], y, "o", color=colour, markersize=8)
    for yi, (_, row) in zip(y, order.iterrows(), strict=True):
        ax.annotate(
            f"{row['n_mentioning']}/{row['n_analysed']}",
            (row["ci_low"], yi),
            xytext=(-6, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=9,
        )
    ax.set_yticks(y, order["theme"])
    # from 40 % as in the report, lower when a theme's interval starts below it
    ax.set_xlim(min(40, 10 * int(order["ci_low"].min() // 10)), 101)
    ax.set_xlabel(
        f"Analysed participants mentioning the theme (%), {confidence:.0%} Wilson interval"
    )
    ax.set_ylabel("Theme")
    n = int(table2["n_analysed"].iloc[0])
    ax.set_title(f"Key Mention Indicator by theme ({corpus_label}, n={n})", fontsize=11)
    mark_synthetic(fig, synthetic)
    fig.tight_layout()
    parts = [
        f"{row.theme} {row.n_mentioning} of {row.n_analysed} ({row.percent:.1f}%, interval "
        f"{row.ci_low:.1f} to {row.ci_high:.1f})"
        for row in table2.itertuples()
    ]
    alt = (
        f"Dot-and-interval chart of the Key Mention Indicator from the {corpus_label}: "
        + "; ".join(parts)
        + "."
    )
    return fig, alt
