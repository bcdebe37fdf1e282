"""Turning the step declarations into Snakemake rules and report sections."""
