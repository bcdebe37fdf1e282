"""Pipeline parameters (``--config name=value``): defaults, and one clear refusal of bad values."""

from __future__ import annotations

import subprocess

import pytest
from conftest import BIN, ROOT

from compendium.inputs.errors import InputError
from compendium.inputs.pipeline_config import checked_config, config_schema

DEFAULT = "data/coded/surrogate"


def test_defaults_fill_every_parameter():
    values = checked_config({}, DEFAULT)
    assert set(values) == set(config_schema()["properties"])
    assert values["corpus"] == DEFAULT
    assert (values["intersections_high"], values["intersections_medium"]) == (0.5, 0.2)
    assert values["agreement_unit"] == "segment" and values["suppression_threshold"] == 5


def test_given_values_win_and_a_trailing_slash_is_dropped():
    values = checked_config({"corpus": "data/coded/mine/", "intersections_high": 0.6}, DEFAULT)
    assert values["corpus"] == "data/coded/mine" and values["intersections_high"] == 0.6


@pytest.mark.parametrize(
    "config, field, text",
    [
        ({"intersections_high": "abc"}, "intersections_high", "is not of type 'number'"),
        ({"intersection_high": 0.6}, "intersection_high", "unknown parameter"),
        ({"intersections_medium": 0.7}, "intersections_medium", "must be below"),
        ({"confidence": 1.0}, "confidence", "greater than or equal to the maximum"),
        ({"suppression_threshold": 2.5}, "suppression_threshold", "not of type 'integer'"),
        ({"agreement_unit": "theme"}, "agreement_unit", "is not one of"),
        ({"corpus": "data/coded/x; rm -rf ~"}, "corpus", "does not match"),
    ],
)
def test_bad_values_are_refused_naming_the_parameter(config, field, text):
    with pytest.raises(InputError) as caught:
        checked_config(config, DEFAULT)
    assert caught.value.field == field
    assert text in caught.value.message
    assert str(caught.value).startswith("--config, field ")


def test_snakemake_stops_with_one_line_before_building(tmp_path):
    result = subprocess.run(
        [str(BIN / "snakemake"), "--dry-run", "--cores", "1", "--config", "intersection_high=0.6"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --config, field 'intersection_high': unknown parameter 'intersection_high' "
        "(known: agreement_threshold, agreement_unit, codebook, confidence, corpus, "
        "ijb_areas_total, intersections_high, intersections_medium, suppression_threshold)"
    ]
    assert "Traceback" not in result.stdout + result.stderr
