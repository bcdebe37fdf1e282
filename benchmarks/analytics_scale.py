"""Time and peak memory of the analytics (KMI, pair statistics, group tests) on N segments.

Run as ``python benchmarks/analytics_scale.py N``; prints one JSON line. Generation of the
synthetic corpus is not timed; the analytics run twice: once timed, once under tracemalloc for
the peak of memory allocated by the analytics (numpy and pandas buffers included).
"""

import json
import sys
import time
import tracemalloc

from compendium.analysis.group_emphasis import group_tests, mention_counts
from compendium.analysis.intersections import pair_statistics
from compendium.analysis.salience import kmi_counts
from compendium.surrogate import THEME_ORDER, scaled_corpus

n_segments = int(sys.argv[1])
per_participant = 100
corpus = scaled_corpus(max(3, n_segments // per_participant), per_participant, seed=1)
ids = corpus.participants["participant_id"]


def analytics():
    kmi_counts(corpus.segments, ids, THEME_ORDER)
    pair_statistics(corpus.segments, ids, THEME_ORDER, 0.5, 0.2)
    counts, sizes = mention_counts(corpus.segments, corpus.participants, THEME_ORDER)
    group_tests(counts, sizes)


start = time.perf_counter()
analytics()
elapsed = time.perf_counter() - start  # timed without tracemalloc, which slows numpy down

tracemalloc.start()
analytics()
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
result = {
    "segments": len(corpus.segments),
    "seconds": round(elapsed, 3),
    "peak_mb": round(peak / 2**20, 1),
}
print(json.dumps(result))
