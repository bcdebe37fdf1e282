"""Writing outputs: atomic, deterministic tables and figures, provenance, verification."""
