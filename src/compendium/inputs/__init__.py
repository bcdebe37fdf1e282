"""Reading and validating the compendium's inputs (data packages, codebook, coded corpora)."""
