"""The surrogate corpus: deterministic, exactly calibrated, synthetic everywhere."""

import json
import re

import pandas as pd
import pytest
from conftest import ROOT

from compendium import surrogate
from compendium.analysis.participants import headline_counts, participant_profile
from compendium.analysis.salience import kmi_counts
from compendium.inputs.corpus import load_corpus
from compendium.inputs.targets import load_targets

TARGETS = load_targets(ROOT / "data" / "surrogate" / "targets.yaml", list("GWDFLVS"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("surrogate")
    surrogate.write_from_targets(TARGETS, out)
    return out


def test_same_seed_same_bytes(generated, tmp_path):
    surrogate.write_from_targets(TARGETS, tmp_path)
    for path in sorted(generated.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_committed_surrogate_is_what_the_generator_writes(generated):
    committed = ROOT / "data" / "coded" / "surrogate"
    for path in sorted(generated.iterdir()):
        assert (committed / path.name).read_bytes() == path.read_bytes(), path.name


def test_other_seed_other_corpus():
    other = surrogate.generate(TARGETS | {"seed": TARGETS["seed"] + 1})
    same = surrogate.generate(TARGETS)
    assert not other.segments.equals(same.segments)


def test_calibrated_exactly_to_the_published_aggregates(generated, codebook):
    corpus = load_corpus(generated, codebook)
    counts = headline_counts(corpus.participants)
    assert counts["interviewed_by_group"] == TARGETS["interviewed_per_group"]["value"]
    assert counts["withdrawn"] == sum(TARGETS["withdrawn_per_group"]["value"].values())
    assert counts["not_quotable_analysed"] == TARGETS["not_quotable_analysed"]["value"]
    table1 = participant_profile(corpus.analysed, corpus.groups).set_index("group")
    for group, modes in TARGETS["modes_of_analysed"]["value"].items():
        assert table1.loc[group, "in_person"] == modes["in_person"]
        assert table1.loc[group, "online"] == modes["online"]
    assert counts["areas_represented"] == TARGETS["ijb_areas"]["represented"]
    kmi = kmi_counts(corpus.segments, corpus.analysed["participant_id"], codebook.codes)
    assert kmi.to_dict() == TARGETS["kmi"]["value"]


def test_every_target_cites_a_report_line():
    seed = ROOT.parent / "shared" / "seeds" / "000_defd383e08e4ab39.txt"
    lines = seed.read_text(encoding="utf-8").splitlines() if seed.exists() else None
    for name, target in TARGETS.items():
        if isinstance(target, dict) and name not in {"segments_per_theme"}:
            assert "source_line" in target, name
            if lines is not None:
                assert 1 <= target["source_line"] <= len(lines)


def test_synthetic_ids_and_labels(generated):
    participants = pd.read_csv(generated / "participants.csv", dtype=str)
    assert all(re.fullmatch(r"S\d{2}", p) for p in participants["participant_id"])
    text = "".join(p.read_text() for p in generated.iterdir())
    assert not re.search(r"\bP\d+\b", text), "a P-code leaked into the surrogate"
    descriptor = json.loads((generated / "datapackage.json").read_text())
    assert descriptor["synthetic"] is True
    for resource in descriptor["resources"]:
        assert "SYNTHETIC" in resource["description"]
        assert all(f["description"].startswith("SYNTHETIC") for f in resource["schema"]["fields"])


def test_withdrawn_have_no_segments(generated, codebook):
    corpus = load_corpus(generated, codebook)
    withdrawn = corpus.participants.loc[
        corpus.participants["status"] == "withdrawn", "participant_id"
    ]
    segments = pd.read_csv(generated / "segments.csv", dtype=str)
    assert len(withdrawn) == 2
    assert not segments["participant_id"].isin(withdrawn).any()


def test_targets_cross_checks_catch_what_the_schema_cannot(tmp_path):
    from compendium.inputs.errors import InputError

    text = (ROOT / "data" / "surrogate" / "targets.yaml").read_text()
    bad = tmp_path / "targets.yaml"
    bad.write_text(text.replace("F: 42,", "F: 45,"))  # more mentioning F than analysed (44)
    with pytest.raises(InputError) as caught:
        load_targets(bad)
    assert "kmi.F: 45 mentioning is more than the 44 analysed participants" in str(caught.value)
    assert caught.value.row == text.splitlines().index("kmi:") + 3  # the line of "value:"
