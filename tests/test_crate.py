"""The build's RO-Crate, read back with the rocrate library and checked against the manifest.

The crate is written from the committed manifest into a temporary folder (no build needed).
"""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import ROOT
from rocrate.rocrate import ROCrate

from compendium.inputs.pipeline_config import checked_config
from compendium.outputs.crate import SPDX, CrateWriter, write_crate

MANIFEST = "reports/manifest.json"
PARAMETERS = checked_config({}, "data/coded/surrogate")
COMPLETED = "http://schema.org/CompletedActionStatus"


def written(folder, manifest=MANIFEST, epoch="1767225600", monkeypatch=None):
    monkeypatch.chdir(ROOT)  # the manifest names files relative to the project root
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    return write_crate(manifest, folder / "ro-crate-metadata.json", PARAMETERS)


@pytest.fixture(scope="module")
def crate_dir(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        folder = tmp_path_factory.mktemp("crate")
        written(folder, monkeypatch=monkeypatch)
    return folder


@pytest.fixture(scope="module")
def crate(crate_dir):
    return ROCrate(crate_dir)


@pytest.fixture(scope="module")
def manifest():
    return json.loads((ROOT / MANIFEST).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def citation():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def ids(value) -> set[str]:
    """The ids of a property's values (an id not described in the crate comes back as is)."""
    values = value if isinstance(value, list) else [value]
    return {v if isinstance(v, str) else v.id for v in values}


def test_ro_crate_1_1_with_the_workflow_run_profiles(crate):
    assert crate.version == "1.1"
    assert "https://w3id.org/ro/crate/1.1" in ids(crate.metadata["conformsTo"])
    assert {
        "https://w3id.org/ro/wfrun/process/0.5",
        "https://w3id.org/ro/wfrun/workflow/0.5",
        "https://w3id.org/workflowhub/workflow-ro-crate/1.0",
    } <= ids(crate.root_dataset["conformsTo"])
    workflow = crate.mainEntity
    assert workflow.id == "Snakefile"
    assert "ComputationalWorkflow" in workflow.type
    assert len(workflow["sha256"]) == 64
    assert workflow["programmingLanguage"]["name"] == "Snakemake"


def test_root_has_the_licence_and_authors_of_citation_cff(crate, citation):
    root = crate.root_dataset
    assert root["license"].id == f"{SPDX}{citation['license']}"
    authors = root["author"] if isinstance(root["author"], list) else [root["author"]]
    assert sorted(a["name"] for a in authors) == sorted(
        a.get("name") or f"{a['given-names']} {a['family-names']}" for a in citation["authors"]
    )
    assert root["name"] == citation["title"]
    assert root["description"]
    assert root["citation"].id == f"https://doi.org/{citation['preferred-citation']['doi']}"


def test_every_manifest_output_is_a_file_with_its_sha256(crate, manifest):
    for entry in manifest["outputs"]:
        entity = crate.get(entry["path"])
        assert entity is not None, f"{entry['path']} is not in the crate"
        assert "File" in (entity.type if isinstance(entity.type, list) else [entity.type])
        assert entity["sha256"] == entry["sha256"], entry["path"]


def test_every_input_notebook_and_pipeline_file_is_hashed(crate, manifest):
    recorded: dict[str, str] = {}
    for entry in manifest["outputs"]:
        for source in entry["inputs"]:
            recorded.setdefault(source["path"], source["sha256"])  # as first recorded
    for path, sha256 in recorded.items():
        assert crate.get(path)["sha256"] == sha256, path
    for path in ("Snakefile", "notebooks/steps.yaml", "CITATION.cff", "requirements.lock"):
        assert len(crate.get(path)["sha256"]) == 64, path


def test_every_data_package_read_is_a_dataset_of_its_files(crate, manifest):
    read = {s["path"] for e in manifest["outputs"] for s in e["inputs"]}
    for descriptor in sorted(ROOT.glob("data/**/datapackage.json")):
        folder = descriptor.parent.relative_to(ROOT).as_posix()
        files = {p for p in read if p.startswith(f"{folder}/")}
        if not files:
            continue
        dataset = crate.get(f"{folder}/")
        assert dataset is not None and dataset.type == "Dataset", folder
        assert files <= ids(dataset["hasPart"]), folder


def step_entries(manifest) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for entry in manifest["outputs"]:
        found.setdefault(entry["step"], []).append(entry)
    return found


def test_every_step_is_an_action_with_its_parameters_inputs_and_outputs(crate, manifest):
    steps = step_entries(manifest)
    run = crate.root_dataset["mentions"]
    assert {f"#step-run/{step}" for step in steps} <= ids(run)
    for step, entries in steps.items():
        action = crate.get(f"#step-run/{step}")
        assert action.type == "CreateAction", step
        objects = action["object"] if isinstance(action["object"], list) else [action["object"]]
        values = {o["name"]: o["value"] for o in objects if o.type == "PropertyValue"}
        expected = {
            name: value if isinstance(value, str | int | float | bool) else json.dumps(value)
            for name, value in entries[0]["parameters"].items()
        }
        assert values == expected, step
        assert {s["path"] for s in entries[0]["inputs"]} <= ids(objects), step
        assert {e["path"] for e in entries} == ids(action["result"]), step
        assert ids(action["actionStatus"]) == {COMPLETED}, step
        instrument = ids(action["instrument"])
        assert (entries[0]["notebook"] or "#compendium") in instrument, step


def test_the_workflow_run_takes_the_pipeline_parameters_and_makes_every_output(crate, manifest):
    run = crate.get("#workflow-run")
    assert run["instrument"].id == "Snakefile"
    values = {o["name"]: o["value"] for o in run["object"] if o.type == "PropertyValue"}
    assert values == PARAMETERS
    assert {e["path"] for e in manifest["outputs"]} == ids(run["result"])


def test_same_bytes_when_written_again_and_the_date_from_source_date_epoch(
    crate_dir, tmp_path, monkeypatch
):
    again = written(tmp_path, monkeypatch=monkeypatch)
    assert again.read_bytes() == (crate_dir / "ro-crate-metadata.json").read_bytes()
    later = written(tmp_path, epoch="1798761600", monkeypatch=monkeypatch)  # 2027-01-01
    graph = json.loads(later.read_text(encoding="utf-8"))["@graph"]
    assert next(e for e in graph if e["@id"] == "./")["datePublished"] == "2027-01-01"


def test_a_pdf_not_built_is_a_failed_action_saying_why(manifest, monkeypatch):
    monkeypatch.chdir(ROOT)
    pdf = "reports/report.pdf"
    skipped = dict(manifest, outputs=[e for e in manifest["outputs"] if e["path"] != pdf])
    skipped["not_built"] = [{"path": pdf, "why": "no browser", "how": "install one"}]
    graph = CrateWriter(MANIFEST, PARAMETERS, manifest=skipped).jsonld()["@graph"]
    action = next(e for e in graph if e["@id"] == "#step-run/pdf")
    assert action["actionStatus"]["@id"] == "http://schema.org/FailedActionStatus"
    assert action["error"] == "reports/report.pdf not built: no browser"
    assert not any(e["@id"] == pdf for e in graph)


def test_another_build_names_the_project_sources_from_its_own_root(manifest, monkeypatch):
    monkeypatch.chdir(ROOT)
    writer = CrateWriter("builds/mine/reports/manifest.json", PARAMETERS, manifest=manifest)
    assert writer.id_of("builds/mine/figures/kmi.svg") == "figures/kmi.svg"
    assert writer.id_of("data/coded/mine/segments.csv") == "../../data/coded/mine/segments.csv"
    assert writer.id_of("Snakefile") == "../../Snakefile"
