"""Analyses: one module per table or figure family. They take validated frames, never paths."""
