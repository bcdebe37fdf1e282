"""Figures: one module per figure family; each returns a matplotlib figure and its alt text."""
