# The compendium's pipeline: the one place that says each notebook's inputs, parameters and
# outputs.  Every step runs one notebook with papermill, strips volatile metadata from the
# executed copy and records provenance; `manifest` merges the provenance; `verify` compares
# rebuilt values with the published ones.
#
#   snakemake --cores 2                                   # the surrogate corpus
#   snakemake --cores 2 --config corpus=data/coded/mine   # another corpus -> builds/mine/
#   snakemake --cores 2 --config intersections_high=0.6   # change a parameter
#
# Dependencies are explicit (notebook file, the src/compendium modules it imports, data
# files): Snakemake's own code tracking does not see inside notebooks.

import json
from pathlib import Path

import yaml

DEFAULT_CORPUS = "data/coded/surrogate"
CORPUS = str(config.get("corpus", DEFAULT_CORPUS)).rstrip("/")
OUT = "" if CORPUS == DEFAULT_CORPUS else f"builds/{Path(CORPUS).name}/"
CODEBOOK = "data/codebook"
PUBLISHED = "data/published"
SRC = "src/compendium/"
FINDINGS = "" if CORPUS == DEFAULT_CORPUS else "--findings"

# Analysis parameters (override with --config name=value).
CONFIDENCE = float(config.get("confidence", 0.95))


def files_of(folder):
    """Every file of a data package folder, so that editing any of them reruns its dependants."""
    return sorted(str(p) for p in Path(folder).rglob("*") if p.is_file())


# Modules every notebook imports (loading, validation, writing).
CORE = [
    SRC + m
    for m in (
        "__init__.py",
        "paths.py",
        "inputs/__init__.py",
        "inputs/errors.py",
        "inputs/packages.py",
        "inputs/codebook.py",
        "inputs/corpus.py",
        "outputs/__init__.py",
        "outputs/files.py",
        "outputs/results.py",
        "schemas/coded_corpus.json",
    )
]
FIGURES = [SRC + "outputs/figures.py", SRC + "charts/__init__.py"]


def modules(*names):
    return CORE + [SRC + n for n in names]


class Step:
    """A notebook step: its notebook, parameters, and the files behind its output parameters.

    ``outputs`` maps a notebook parameter to a path; a parameter ending in ``_stem`` names a
    figure and stands for ``stem.svg`` and ``stem.png``.
    """

    def __init__(self, name, notebook, inputs, outputs, parameters=None, corpus=True):
        self.name = name
        self.notebook = notebook
        self.executed = f"{OUT}reports/notebooks/{Path(notebook).name}"
        self.provenance = f"{OUT}reports/provenance/{name}.json"
        self.corpus = CORPUS if corpus else ""
        files = {}
        for key, path in outputs.items():
            if key.endswith("_stem"):
                files[key + "_svg"] = path + ".svg"
                files[key + "_png"] = path + ".png"
            else:
                files[key] = path
        self.files = files
        self.parameters = {**inputs, **outputs, **(parameters or {})}

    @property
    def params(self):
        return {
            "yaml": yaml.safe_dump(self.parameters, sort_keys=True, allow_unicode=True),
            "json": json.dumps(self.parameters, sort_keys=True),
            "outputs": " ".join(sorted(self.files.values())),
            "corpus": self.corpus,
        }


RUN_NOTEBOOK = (
    "papermill {input.notebook} {output.notebook} -k python3 --cwd . "
    "--no-progress-bar --log-level WARNING -y {params.yaml:q} > /dev/null "
    "&& compendium clean-notebook {output.notebook} "
    "&& compendium provenance --step {rule} --notebook {input.notebook} "
    "--executed {output.notebook} --parameters {params.json:q} --corpus '{params.corpus}' "
    "--inputs {input} --outputs {params.outputs} --out {output.provenance}"
)

CORPUS_INPUTS = {"corpus_dir": CORPUS, "codebook_dir": CODEBOOK}

VALIDATE = Step(
    "validate",
    "notebooks/00_validate.ipynb",
    CORPUS_INPUTS,
    {"results_path": f"{OUT}reports/results/validate.json"},
)
PARTICIPANTS = Step(
    "participants",
    "notebooks/01_participants.ipynb",
    CORPUS_INPUTS,
    {
        "table1_path": f"{OUT}reports/tables/table1_participants.csv",
        "results_path": f"{OUT}reports/results/participants.json",
    },
)
SALIENCE = Step(
    "salience",
    "notebooks/02_salience.ipynb",
    CORPUS_INPUTS,
    {
        "table2_path": f"{OUT}reports/tables/table2_kmi.csv",
        "kmi_figure_stem": f"{OUT}figures/kmi",
        "results_path": f"{OUT}reports/results/salience.json",
    },
    {"confidence": CONFIDENCE},
)

STEPS = [VALIDATE, PARTICIPANTS, SALIENCE]
VALIDATED = VALIDATE.files["results_path"]
CORPUS_FILES = files_of(CORPUS) + files_of(CODEBOOK)


rule all:
    input:
        f"{OUT}reports/manifest.json",
        f"{OUT}reports/verification.csv",


rule validate:
    input:
        notebook=VALIDATE.notebook,
        code=modules(),
        data=CORPUS_FILES,
    output:
        **VALIDATE.files,
        notebook=VALIDATE.executed,
        provenance=VALIDATE.provenance,
    params:
        **VALIDATE.params,
    shell:
        "compendium validate {CORPUS} --codebook {CODEBOOK} && " + RUN_NOTEBOOK


rule participants:
    input:
        notebook=PARTICIPANTS.notebook,
        code=modules("analysis/__init__.py", "analysis/participants.py"),
        data=CORPUS_FILES,
        validated=VALIDATED,
    output:
        **PARTICIPANTS.files,
        notebook=PARTICIPANTS.executed,
        provenance=PARTICIPANTS.provenance,
    params:
        **PARTICIPANTS.params,
    shell:
        RUN_NOTEBOOK


rule salience:
    input:
        notebook=SALIENCE.notebook,
        code=modules(
            "analysis/__init__.py",
            "analysis/mentions.py",
            "analysis/salience.py",
            "charts/kmi.py",
            *[f.removeprefix(SRC) for f in FIGURES],
        ),
        data=CORPUS_FILES,
        validated=VALIDATED,
    output:
        **SALIENCE.files,
        notebook=SALIENCE.executed,
        provenance=SALIENCE.provenance,
    params:
        **SALIENCE.params,
    shell:
        RUN_NOTEBOOK


rule manifest:
    input:
        fragments=[s.provenance for s in STEPS],
        outputs=[f for s in STEPS for f in s.files.values()],
        code=[SRC + "outputs/provenance.py"],
    output:
        f"{OUT}reports/manifest.json",
    shell:
        "compendium manifest {input.fragments} --out {output}"


rule verify:
    input:
        outputs=[f for s in STEPS for f in s.files.values()],
        published=files_of(PUBLISHED),
        code=[SRC + "outputs/verify.py"],
    output:
        f"{OUT}reports/verification.csv",
    shell:
        "compendium verify --published {PUBLISHED} --reports {OUT}reports {FINDINGS} > /dev/null"
