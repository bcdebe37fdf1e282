"""Inter-coder agreement figure: per-theme kappa and Krippendorff's alpha with 95 % intervals."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from compendium.outputs.figures import mark_synthetic, palette

NOT_COMPUTABLE = "not computable: no variation in the ratings"


def agreement_figure(
    table: pd.DataFrame, labels: dict[str, str], threshold: float, corpus_label: str, synthetic
):
    """Dot-and-interval chart, one row per theme; the flag threshold as a dashed line.

    An empty table (no second coding in the corpus) gives a figure saying so.
    """
    if table.empty:
        return _no_second_coding(corpus_label)
    kappa_name = "cohen" if "cohen_kappa" in table else "fleiss"
    kappa_label = "Cohen's kappa" if kappa_name == "cohen" else "Fleiss' kappa"
    series = [
        (kappa_label, f"{kappa_name}_kappa", f"{kappa_name}_low", f"{kappa_name}_high", "o"),
        ("Krippendorff's alpha", "alpha", "alpha_low", "alpha_high", "s"),
    ]
    colours = palette(2)
    y = np.arange(len(table))[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table) + 1.8))
    for k, (name, value, low, high, marker) in enumerate(series):
        offset = 0.15 if k == 0 else -0.15
        values = table[value].to_numpy(dtype=float)
        err = np.vstack([values - table[low], table[high] - values]).astype(float)
        ax.errorbar(
            values,
            y + offset,
            xerr=np.nan_to_num(err),
            fmt=marker,
            color=colours[k],
            capsize=3,
            label=name,
        )
    ax.axvline(threshold, color="0.3", linestyle="--", linewidth=1)
    ax.text(threshold, len(table) - 0.45, f" flag below {threshold:g}", fontsize=8, va="bottom")
    ax.set_yticks(y, [f"{t} {labels.get(t, '')}".strip() for t in table["theme"]])
    lowest = np.nanmin(table[[f"{kappa_name}_low", "alpha_low"]].to_numpy(dtype=float))
    ax.set_xlim(min(0.0, np.floor(lowest * 10) / 10), 1.02)
    computable = [
        bool(np.isfinite(getattr(row, f"{kappa_name}_kappa")) and np.isfinite(row.alpha))
        for row in table.itertuples()
    ]
    for row_y, ok in zip(y, computable, strict=True):
        if not ok:  # e.g. a theme no coder used: no variation, so no chance-corrected value
            ax.text(ax.get_xlim()[0] + 0.02, row_y, NOT_COMPUTABLE + " (flagged)", fontsize=8,
                    va="center", color="0.3", style="italic")  # fmt: skip
    ax.set_ylim(-0.7, len(table) - 0.1)
    ax.set_xlabel("Agreement (1 = perfect, 0 = chance), 95% interval")
    ax.set_ylabel("Theme")
    title = "Inter-coder agreement per theme"
    if synthetic:
        title += " (synthetic second coder: checks the method, not the study)"
    unit = table["unit"].iloc[0]
    ax.set_title(
        f"{title}\n{corpus_label}; {int(table['n_units'].iloc[0])} {unit}s coded by "
        f"{int(table['n_coders'].iloc[0])} coders",
        fontsize=10,
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False, fontsize=9)
    mark_synthetic(fig, synthetic)
    fig.tight_layout()
    parts = [
        f"{row.theme} {kappa_label} {getattr(row, f'{kappa_name}_kappa'):.2f}, "
        f"alpha {row.alpha:.2f}{' (flagged)' if row.flag else ''}"
        if ok
        else f"{row.theme} {NOT_COMPUTABLE} (flagged)"
        for row, ok in zip(table.itertuples(), computable, strict=True)
    ]
    alt = (
        f"Dot-and-interval chart of inter-coder agreement per theme from the {corpus_label}, "
        f"with a dashed line at the threshold {threshold:g}: " + "; ".join(parts) + "."
    )
    return fig, alt


def _no_second_coding(corpus_label: str):
    fig, ax = plt.subplots(figsize=(8, 1.6))
    message = (
        f"The {corpus_label} carries no second coding (second_coding.csv),\n"
        "so there is no inter-coder agreement to show."
    )
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11)
    ax.set_axis_off()
    fig.tight_layout()
    return fig, f"No chart: {message.replace(chr(10), ' ')}"
