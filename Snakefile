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
INTERSECTIONS_HIGH = float(config.get("intersections_high", 0.5))
INTERSECTIONS_MEDIUM = float(config.get("intersections_medium", 0.2))
SUPPRESSION_THRESHOLD = int(config.get("suppression_threshold", 5))


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
        "outputs/display.py",
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

INTERSECTIONS = Step(
    "intersections",
    "notebooks/03_intersections.ipynb",
    CORPUS_INPUTS,
    {
        "table3_path": f"{OUT}reports/tables/table3_intersections.csv",
        "pair_statistics_path": f"{OUT}reports/tables/table3_pair_statistics.csv",
        "sensitivity_path": f"{OUT}reports/tables/table3_sensitivity.csv",
        "heatmap_stem": f"{OUT}figures/intersections",
        "sensitivity_stem": f"{OUT}figures/intersections_sensitivity",
        "results_path": f"{OUT}reports/results/intersections.json",
    },
    {"high": INTERSECTIONS_HIGH, "medium": INTERSECTIONS_MEDIUM, "grid_step": 0.05},
)
THEORY_OF_CHANGE = Step(
    "theory_of_change",
    "notebooks/04_theory_of_change.ipynb",
    {"model_path": "data/models/theory_of_change.yaml", "codebook_dir": CODEBOOK},
    {
        "figure_stem": f"{OUT}figures/fig1_theory_of_change",
        "results_path": f"{OUT}reports/results/theory_of_change.json",
    },
    corpus=False,
)
ROADMAP = Step(
    "roadmap",
    "notebooks/05_roadmap.ipynb",
    {
        "roadmap_dir": "data/roadmap",
        **CORPUS_INPUTS,
        "table3_path": INTERSECTIONS.files["table3_path"],
    },
    {
        "table4_path": f"{OUT}reports/tables/table4_roadmap.csv",
        "coverage_path": f"{OUT}reports/tables/roadmap_h_coverage.csv",
        "figure_stem": f"{OUT}figures/roadmap",
        "results_path": f"{OUT}reports/results/roadmap.json",
    },
)
FRONT_MATTER = Step(
    "front_matter",
    "notebooks/06_front_matter.ipynb",
    {"frontmatter_dir": "data/frontmatter"},
    {
        "institutional_path": f"{OUT}reports/tables/institutional_distinction.csv",
        "policy_options_path": f"{OUT}reports/tables/policy_options.csv",
        "results_path": f"{OUT}reports/results/front_matter.json",
    },
    corpus=False,
)
GROUP_EMPHASIS = Step(
    "group_emphasis",
    "notebooks/08_group_emphasis.ipynb",
    CORPUS_INPUTS,
    {
        "table_path": f"{OUT}reports/tables/group_emphasis.csv",
        "figure_stem": f"{OUT}figures/group_emphasis",
        "results_path": f"{OUT}reports/results/group_emphasis.json",
    },
    {"suppression_threshold": SUPPRESSION_THRESHOLD},
)

STEPS = [
    VALIDATE,
    PARTICIPANTS,
    SALIENCE,
    INTERSECTIONS,
    THEORY_OF_CHANGE,
    ROADMAP,
    FRONT_MATTER,
    GROUP_EMPHASIS,
]
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


rule intersections:
    input:
        notebook=INTERSECTIONS.notebook,
        code=modules(
            "analysis/__init__.py",
            "analysis/mentions.py",
            "analysis/intersections.py",
            "charts/intersections.py",
            *[f.removeprefix(SRC) for f in FIGURES],
        ),
        data=CORPUS_FILES,
        validated=VALIDATED,
    output:
        **INTERSECTIONS.files,
        notebook=INTERSECTIONS.executed,
        provenance=INTERSECTIONS.provenance,
    params:
        **INTERSECTIONS.params,
    shell:
        RUN_NOTEBOOK


rule theory_of_change:
    input:
        notebook=THEORY_OF_CHANGE.notebook,
        code=modules(
            "inputs/models.py",
            "charts/theory_of_change.py",
            *[f.removeprefix(SRC) for f in FIGURES],
        ),
        data=["data/models/theory_of_change.yaml", *files_of(CODEBOOK)],
    output:
        **THEORY_OF_CHANGE.files,
        notebook=THEORY_OF_CHANGE.executed,
        provenance=THEORY_OF_CHANGE.provenance,
    params:
        **THEORY_OF_CHANGE.params,
    shell:
        RUN_NOTEBOOK


rule roadmap:
    input:
        notebook=ROADMAP.notebook,
        code=modules(
            "analysis/__init__.py",
            "analysis/roadmap.py",
            "charts/roadmap.py",
            *[f.removeprefix(SRC) for f in FIGURES],
        ),
        data=files_of("data/roadmap") + CORPUS_FILES,
        table3=INTERSECTIONS.files["table3_path"],
        validated=VALIDATED,
    output:
        **ROADMAP.files,
        notebook=ROADMAP.executed,
        provenance=ROADMAP.provenance,
    params:
        **ROADMAP.params,
    shell:
        RUN_NOTEBOOK


rule front_matter:
    input:
        notebook=FRONT_MATTER.notebook,
        code=modules(),
        data=files_of("data/frontmatter"),
    output:
        **FRONT_MATTER.files,
        notebook=FRONT_MATTER.executed,
        provenance=FRONT_MATTER.provenance,
    params:
        **FRONT_MATTER.params,
    shell:
        RUN_NOTEBOOK


rule group_emphasis:
    input:
        notebook=GROUP_EMPHASIS.notebook,
        code=modules(
            "analysis/__init__.py",
            "analysis/mentions.py",
            "analysis/group_emphasis.py",
            "charts/group_emphasis.py",
            *[f.removeprefix(SRC) for f in FIGURES],
        ),
        data=CORPUS_FILES,
        validated=VALIDATED,
    output:
        **GROUP_EMPHASIS.files,
        notebook=GROUP_EMPHASIS.executed,
        provenance=GROUP_EMPHASIS.provenance,
    params:
        **GROUP_EMPHASIS.params,
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
