"""The build as an RO-Crate: ``ro-crate-metadata.json`` at the build's root.

Written by the rule ``crate`` (``compendium crate``) after the manifest and the disclosure scan,
with the ``rocrate`` library, from ``reports/manifest.json``: RO-Crate 1.1 with the Workflow Run
Crate profile 0.5 (and so Process Run Crate 0.5 and Workflow RO-Crate 1.0).  It holds

* the root dataset: name, description, version, keywords, licence and authors from
  ``CITATION.cff``, the report it rebuilds (``citation``), and a publication date from
  ``SOURCE_DATE_EPOCH`` (default 2026-01-01, as the PDF), never the clock;
* every input the manifest records (data files, grouped by data package; notebooks; the
  ``src/compendium`` modules), every output, executed notebook and provenance fragment, and the
  files that define the pipeline (:data:`DESCRIBED`: the Snakefile is the main workflow), each a
  ``File`` with its ``sha256`` (from the manifest; computed for the files it does not list);
* the run: one ``CreateAction`` for the whole pipeline (instrument: the Snakefile; object: the
  data, code and the ``--config`` values as ``PropertyValue``s; result: every output) and one per
  step (instrument: its notebook, or the ``compendium`` command for the PDF; object: its inputs
  and its parameters as ``PropertyValue``s; result: what the manifest says it made).  A PDF that
  was not built (no browser) is a failed action with the manifest's reason.

Identifiers are paths relative to the build's root: the project root for the committed build,
``builds/<name>/`` for others, whose crate names the project's sources as ``../../data/...``.
The crate leaves out what changes with every commit (the manifest's ``build`` field, the
manifest's own hash), and entities are sorted, so a rebuild gives the same bytes.  The crate is
not listed in the manifest (it is written from it).
"""

from __future__ import annotations

import json
import os
import re
import time
import unicodedata
from pathlib import Path

from compendium.inputs.files import sha256_file, write_text_atomic

CRATE = "ro-crate-metadata.json"
# The files that define the pipeline and its environment, hashed into the crate.
DESCRIBED = (
    "Snakefile",
    "notebooks/steps.yaml",
    "Makefile",
    "pyproject.toml",
    "requirements.lock",
    "CITATION.cff",
    "LICENSE",
    "DATA-LICENSE.md",
)
WORKFLOW = "Snakefile"
RO_CRATE = "https://w3id.org/ro/crate/1.1"
WFRUN_CONTEXT = "https://w3id.org/ro/terms/workflow-run/context"  # defines sha256
PROFILES = {
    "https://w3id.org/ro/wfrun/process/0.5": ("Process Run Crate", "0.5"),
    "https://w3id.org/ro/wfrun/workflow/0.5": ("Workflow Run Crate", "0.5"),
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0": ("Workflow RO-Crate", "1.0"),
}
SPDX = "https://spdx.org/licenses/"
SNAKEMAKE = "https://w3id.org/workflowhub/workflow-ro-crate#snakemake"
FORMATS = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".ipynb": "application/x-ipynb+json",
    ".md": "text/markdown",
    ".py": "text/x-python",
    ".yaml": "application/yaml",
    ".txt": "text/plain",
    ".ttf": "font/ttf",
}
CFF_TYPES = {"book": "Book", "article": "ScholarlyArticle", "software": "SoftwareSourceCode"}


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def publication_date() -> str:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "1767225600"))
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def agents(people: list[dict]) -> list[dict]:
    """CITATION.cff authors as JSON-LD: a Person (given and family names) or an Organization."""
    found = []
    for person in people:
        if "family-names" in person or "given-names" in person:
            parts = ("given-names", "name-particle", "family-names", "name-suffix")
            name = " ".join(person[p] for p in parts if person.get(p))
            entity = {"@type": "Person", "name": name}
            entity |= {"givenName": person.get("given-names"), "familyName": person["family-names"]}
        else:
            name = person["name"]
            entity = {"@type": "Organization", "name": name}
        entity["@id"] = person.get("orcid") or f"#{slug(name)}"
        found.append({k: v for k, v in entity.items() if v is not None})
    return found


def licence(spdx_id: str) -> dict:
    return {"@id": f"{SPDX}{spdx_id}", "@type": "CreativeWork", "name": spdx_id}


def property_value(identifier: str, name: str, value) -> dict:
    """A parameter's value: numbers, booleans and text as they are, anything else as JSON."""
    plain = value if isinstance(value, str | int | float | bool) else json.dumps(value)
    return {"@id": identifier, "@type": "PropertyValue", "name": name, "value": plain}


def ref(identifiers) -> list[dict]:
    return [{"@id": i} for i in sorted(set(identifiers))]


class CrateWriter:
    """The crate of the build whose manifest is ``manifest_path`` (paths relative to the
    project root, which must be the working directory)."""

    def __init__(self, manifest_path: Path | str, parameters: dict, manifest: dict | None = None):
        self.manifest_path = Path(manifest_path)
        self.base = self.manifest_path.parent.parent  # the build's root
        self.manifest = manifest or json.loads(self.manifest_path.read_text(encoding="utf-8"))
        self.parameters = parameters
        self.citation = read_citation()
        self.entities: dict[str, dict] = {}

    def id_of(self, path: str) -> str:
        """A path relative to the project root (as the manifest records it), as seen from the
        build's root."""
        if self.base == Path("."):
            return path
        inside = path.removeprefix(f"{self.base.as_posix()}/")
        return inside if inside != path else "../" * len(self.base.parts) + path

    def add(self, entity: dict) -> str:
        self.entities[entity["@id"]] = self.entities.get(entity["@id"], {}) | entity
        return entity["@id"]

    def add_file(self, path: str, sha256: str | None, **properties) -> str:
        types = ["File", *properties.pop("types", [])]
        entity = {"@id": self.id_of(path), "@type": types if len(types) > 1 else "File"}
        entity |= {"name": path, "encodingFormat": FORMATS.get(Path(path).suffix)}
        entity |= {"sha256": sha256} | properties
        return self.add({k: v for k, v in entity.items() if v is not None})

    # -- what the crate describes --------------------------------------------------------
    def files(self) -> tuple[set[str], dict[str, set[str]]]:
        """Every input and output as a File; returns the inputs from outside the build and,
        per step, the ids of its inputs."""
        data_licence = self.add(licence(self.citation["preferred-citation"]["license"]))
        outputs = {e["path"] for e in self.manifest["outputs"]}
        external, step_inputs = set(), {}
        for entry in self.manifest["outputs"]:
            what = {"output": "output", "executed_notebook": "executed notebook"}
            kind = what.get(entry["kind"], "provenance record")
            synthetic = " (synthetic data)" if entry.get("synthetic") else ""
            self.add_file(
                entry["path"],
                entry["sha256"],
                description=f"{kind} of step {entry['step']}{synthetic}",
                license={"@id": data_licence},
            )
            for source in entry["inputs"]:
                step_inputs.setdefault(entry["step"], set()).add(self.id_of(source["path"]))
                if source["path"] not in outputs | external:  # first recorded bytes kept
                    external.add(source["path"])
                    self.add_file(source["path"], source["sha256"], **self.source_kind(source))
        for path in DESCRIBED:
            if Path(path).is_file() and path not in external:  # else hashed by the manifest
                external.add(path)
                self.add_file(path, sha256_file(path), **self.source_kind({"path": path}))
        disclosure = self.base / "reports" / "disclosure.json"
        if disclosure.is_file():
            about = "the disclosure scan of every built file (compendium check-disclosure)"
            self.add_file(disclosure.as_posix(), sha256_file(disclosure), description=about)
        about = (
            "every output's provenance and the environment that built it (Python, packages, "
            "Chromium, fonts, commit); not hashed here, as its build field changes with each commit"
        )
        self.add_file(self.manifest_path.as_posix(), None, description=about)
        return external, step_inputs

    def source_kind(self, source: dict) -> dict:
        path = source["path"]
        if path == WORKFLOW:
            return {"types": ["SoftwareSourceCode", "ComputationalWorkflow"]}
        if path.endswith((".py", ".ipynb")):
            return {"types": ["SoftwareSourceCode"], "programmingLanguage": {"@id": "#python"}}
        if path.startswith("data/"):
            return {"license": {"@id": f"{SPDX}{self.citation['preferred-citation']['license']}"}}
        return {}

    def data_packages(self, external: set[str]) -> None:
        """Each data package (a folder with datapackage.json) read: a Dataset of its files."""
        packages: dict[Path, list[str]] = {}
        for path in sorted(p for p in external if p.startswith("data/")):
            folder = next(
                (f for f in Path(path).parents if (f / "datapackage.json").is_file()), None
            )
            if folder is not None:
                packages.setdefault(folder, []).append(self.id_of(path))
        for folder, parts in packages.items():
            descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
            licences = [self.add(licence(item["name"])) for item in descriptor.get("licenses", [])]
            self.add(
                {
                    "@id": f"{self.id_of(folder.as_posix())}/",
                    "@type": "Dataset",
                    "name": descriptor.get("title") or descriptor.get("name"),
                    "description": descriptor.get("description"),
                    "license": ref(licences),
                    "hasPart": ref(parts),
                }
            )

    def tools(self) -> None:
        packages = self.manifest.get("packages", {})
        version = re.search(r"\d+(\.\d+)+", self.manifest.get("chromium") or "")
        self.add(
            {
                "@id": "#python",
                "@type": "ComputerLanguage",
                "name": "Python",
                "url": {"@id": "https://www.python.org/"},
                "version": self.manifest.get("python"),
            }
        )
        self.add(
            {
                "@id": SNAKEMAKE,
                "@type": "ComputerLanguage",
                "name": "Snakemake",
                "identifier": {"@id": "https://snakemake.readthedocs.io"},
                "url": {"@id": "https://snakemake.readthedocs.io"},
                "version": packages.get("snakemake"),
            }
        )
        self.add(
            {
                "@id": "#compendium",
                "@type": "SoftwareApplication",
                "name": "compendium (this project's command, src/compendium/cli.py)",
                "softwareVersion": str(self.citation.get("version")),
            }
        )
        self.add(
            {
                "@id": "#chromium",
                "@type": "SoftwareApplication",
                "name": "Chromium (headless), prints the report to PDF",
                "url": {"@id": "https://www.chromium.org/"},
                "softwareVersion": version.group(0) if version else "not found",
            }
        )

    # -- the run -------------------------------------------------------------------------
    def workflow(self, external: set[str]) -> None:
        from compendium.inputs.pipeline_config import config_schema

        properties = config_schema()["properties"]
        formal, values = [], []
        for name in sorted(self.parameters):
            kind = {bool: "Boolean", int: "Integer", float: "Float"}.get(
                type(self.parameters[name]), "Text"
            )
            formal.append(
                self.add(
                    {
                        "@id": f"#config/{name}",
                        "@type": "FormalParameter",
                        "name": name,
                        "additionalType": kind,
                        "description": properties.get(name, {}).get("description"),
                        "defaultValue": properties.get(name, {}).get("default"),
                        "valueRequired": False,
                    }
                )
            )
            value = property_value(f"#workflow-run/{name}", name, self.parameters[name])
            values.append(self.add(value | {"exampleOfWork": {"@id": f"#config/{name}"}}))
        self.add(
            {
                "@id": self.id_of(WORKFLOW),
                "name": "The compendium's pipeline: one rule per step of notebooks/steps.yaml",
                "programmingLanguage": {"@id": SNAKEMAKE},
                "input": ref(formal),
                "author": ref(a["@id"] for a in agents(self.citation["authors"])),
            }
        )
        config = " ".join(f"{k}={v}" for k, v in sorted(self.parameters.items()))
        self.add(
            {
                "@id": "#workflow-run",
                "@type": "CreateAction",
                "name": "Run of the pipeline (make reproduce: compendium build, Snakemake)",
                "description": f"snakemake --config {config}",
                "instrument": {"@id": self.id_of(WORKFLOW)},
                "object": ref([*(self.id_of(p) for p in external), *values]),
                "result": ref(self.id_of(e["path"]) for e in self.manifest["outputs"]),
                "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"},
            }
        )

    def steps(self, step_inputs: dict[str, set[str]]) -> list[str]:
        by_step: dict[str, list[dict]] = {}
        for entry in self.manifest["outputs"]:
            by_step.setdefault(entry["step"], []).append(entry)
        not_built = {n["path"]: n for n in self.manifest.get("not_built", [])}
        actions = ["#workflow-run"]
        for step, entries in sorted(by_step.items()):
            first = entries[0]
            action = f"#step-run/{step}"
            values = [
                self.add(property_value(f"{action}/{name}", name, value))
                for name, value in sorted(first["parameters"].items())
            ]
            instrument = (
                [{"@id": self.id_of(first["notebook"])}]
                if first.get("notebook")
                else [{"@id": "#compendium"}, {"@id": "#chromium"}]
            )
            entity = {
                "@id": action,
                "@type": "CreateAction",
                "name": f"Step {step}: {first.get('notebook') or first.get('command')}",
                "description": first.get("command")
                or f"papermill {first['notebook']} {first['executed_notebook']} (parameters: "
                f"{json.dumps(first['parameters'], sort_keys=True)})",
                "instrument": instrument,
                "object": ref([*step_inputs.get(step, ()), *values]),
                "result": ref(self.id_of(e["path"]) for e in entries),
                "actionStatus": {"@id": "http://schema.org/CompletedActionStatus"},
            }
            made = {e["path"] for e in entries}
            missing = [n for n in not_built.values() if n["path"] not in made]
            if not first.get("notebook") and missing:  # the command could not make its output
                entity["actionStatus"] = {"@id": "http://schema.org/FailedActionStatus"}
                entity["error"] = "; ".join(f"{n['path']} not built: {n['why']}" for n in missing)
            actions.append(self.add(entity))
        return actions

    def root(self, actions: list[str]) -> dict:
        cff = self.citation
        report = cff["preferred-citation"]
        authors = agents(cff["authors"])
        report_authors = agents(report["authors"])
        for agent in authors + report_authors:
            self.add(agent)
        doi = f"https://doi.org/{report['doi']}"
        publisher = report.get("publisher", {}).get("name")
        self.add(
            {
                "@id": doi,
                "@type": CFF_TYPES.get(report["type"], "CreativeWork"),
                "name": report["title"],
                "author": ref(a["@id"] for a in report_authors),
                "datePublished": str(report["year"]),
                "publisher": publisher,
                "isbn": report.get("isbn"),
                "identifier": doi,
                "license": {"@id": f"{SPDX}{report['license']}"},
            }
        )
        self.add(licence(cff["license"]))
        for identifier, (name, version) in PROFILES.items():
            self.add({"@id": identifier, "@type": "CreativeWork", "name": name, "version": version})
        names = ", ".join(a["name"] for a in report_authors)
        build = "the committed build" if self.base == Path(".") else f"the build in {self.base}/"
        synthetic = any(e.get("synthetic") for e in self.manifest["outputs"])
        corpus = self.parameters.get("corpus", "")
        return {
            "name": cff["title"] + ("" if self.base == Path(".") else f" (build {self.base.name})"),
            "description": (
                f"Rebuilds the tables and figures of '{report['title']}' ({names}, "
                f"{report['year']}, {doi}) with parameterised Jupyter notebooks run in order by "
                f"Snakemake. This crate describes {build}, from the corpus {corpus}"
                f"{' (synthetic)' if synthetic else ''}: every input and output with its sha256 "
                f"and one action per step. {' '.join(cff['message'].split())}"
            ),
            "version": str(cff.get("version")),
            "keywords": cff.get("keywords", []),
            "datePublished": publication_date(),
            "license": {"@id": f"{SPDX}{cff['license']}"},
            "author": ref(a["@id"] for a in authors),
            "citation": {"@id": doi},
            "conformsTo": ref(PROFILES),
            "mainEntity": {"@id": self.id_of(WORKFLOW)},
            "mentions": ref(actions),
        }

    def jsonld(self) -> dict:
        """The crate's JSON-LD, built with the rocrate library."""
        from rocrate.model.contextentity import ContextEntity
        from rocrate.rocrate import ROCrate

        self.tools()
        external, step_inputs = self.files()
        self.data_packages(external)
        self.workflow(external)
        root = self.root(self.steps(step_inputs))
        crate = ROCrate(version="1.1")
        crate.metadata.extra_contexts.append(WFRUN_CONTEXT)
        crate.metadata["conformsTo"] = ref([RO_CRATE, *list(PROFILES)[2:]])
        for identifier in sorted(self.entities):
            entity = {k: v for k, v in self.entities[identifier].items() if v not in (None, [])}
            properties = {k: v for k, v in entity.items() if k != "@id"}
            types = entity["@type"] if isinstance(entity["@type"], list) else [entity["@type"]]
            if "File" in types or "Dataset" in types:
                adder = crate.add_dataset if "Dataset" in types else crate.add_file
                adder(dest_path=identifier, properties=properties)
            else:
                crate.add(ContextEntity(crate, identifier, properties=properties))
        for name, value in root.items():
            crate.root_dataset[name] = value
        crate.root_dataset["hasPart"] = ref(e["@id"] for e in crate.root_dataset["hasPart"])
        return crate.metadata.generate()


def read_citation(path: Path | str = "CITATION.cff") -> dict:
    from compendium.inputs.yaml_files import read_yaml

    data, _ = read_yaml(Path(path), "citation file", 200_000)
    return data


def write_crate(manifest_path: Path | str, out: Path | str, parameters: dict) -> Path:
    """Write the crate of the build of ``manifest_path`` to ``out`` (run at the project root)."""
    document = CrateWriter(manifest_path, parameters).jsonld()
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    return write_text_atomic(out, text + "\n")
