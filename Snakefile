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
import sys
from pathlib import Path

from compendium.inputs.errors import InputError
from compendium.inputs.pipeline_config import checked_config

DEFAULT_CORPUS = "data/coded/surrogate"
try:  # names, types, ranges and defaults: src/compendium/schemas/pipeline_config.json
    PARAMETERS = checked_config(config, DEFAULT_CORPUS)
except InputError as exc:  # one line, no traceback, nothing built
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(2)
CORPUS = PARAMETERS["corpus"]
OUT = "" if CORPUS == DEFAULT_CORPUS else f"builds/{Path(CORPUS).name}/"
CODEBOOK = "data/codebook"
PUBLISHED = "data/published"
SRC = "src/compendium/"

# Analysis parameters (override with --config name=value).
CONFIDENCE = float(PARAMETERS["confidence"])
INTERSECTIONS_HIGH = float(PARAMETERS["intersections_high"])
INTERSECTIONS_MEDIUM = float(PARAMETERS["intersections_medium"])
SUPPRESSION_THRESHOLD = int(PARAMETERS["suppression_threshold"])
AGREEMENT_THRESHOLD = float(PARAMETERS["agreement_threshold"])
AGREEMENT_UNIT = str(PARAMETERS["agreement_unit"])


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
        "inputs/formulas.py",
        "inputs/packages.py",
        "inputs/codebook.py",
        "inputs/corpus.py",
        "outputs/__init__.py",
        "inputs/files.py",
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
            "json": json.dumps(self.parameters, sort_keys=True),
            "outputs": " ".join(sorted(self.files.values())),
            "corpus": self.corpus,
        }


# papermill writes the executed notebook cell by cell, so it writes to a scratch file; the
# cleaned copy then replaces the output atomically (an interrupted build leaves no half-written
# notebook in reports/).
RUN_NOTEBOOK = (
    "scratch=$(mktemp --suffix=.ipynb) && "
    "papermill {input.notebook} $scratch -k python3 --cwd . "
    "--no-progress-bar --log-level WARNING -y {params.json:q} > /dev/null "
    "&& compendium clean-notebook $scratch --out {output.notebook} && rm -f $scratch "
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
    {"ijb_areas_total": int(PARAMETERS["ijb_areas_total"])},
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

# The appendix index comes from the published quotations alone (not synthetic); the checks of
# the quotations against the coded corpus are a separate step.
QUOTE_INDEX = Step(
    "quote_index",
    "notebooks/07_quote_index.ipynb",
    {"quotes_dir": "data/extracts"},
    {
        "quote_index_path": f"{OUT}reports/tables/quote_index.csv",
        "results_path": f"{OUT}reports/results/quote_index.json",
    },
    corpus=False,
)
QUOTES = Step(
    "quotes",
    "notebooks/07_quotes.ipynb",
    {
        "quotes_dir": "data/extracts",
        **CORPUS_INPUTS,
        "table2_path": SALIENCE.files["table2_path"],
    },
    {
        "quotes_per_theme_path": f"{OUT}reports/tables/quotes_per_theme.csv",
        "results_path": f"{OUT}reports/results/quotes.json",
    },
)

CODEBOOK_PAGE = Step(
    "codebook",
    "notebooks/09_codebook.ipynb",
    {"codebook_dir": CODEBOOK},
    {
        "codebook_page_path": f"{OUT}reports/codebook.md",
        "results_path": f"{OUT}reports/results/codebook.json",
    },
    corpus=False,
)

COREQ = Step(
    "coreq",
    "notebooks/15_coreq.ipynb",
    {"coreq_dir": "data/coreq"},
    {
        "checklist_path": f"{OUT}reports/tables/coreq_checklist.csv",
        "results_path": f"{OUT}reports/results/coreq.json",
    },
    corpus=False,
)

AGREEMENT = Step(
    "agreement",
    "notebooks/16_agreement.ipynb",
    CORPUS_INPUTS,
    {
        "table_path": f"{OUT}reports/tables/agreement_by_theme.csv",
        "disagreement_path": f"{OUT}reports/tables/agreement_primary_theme.csv",
        "figure_stem": f"{OUT}figures/agreement",
        "results_path": f"{OUT}reports/results/agreement.json",
    },
    {
        "threshold": AGREEMENT_THRESHOLD,
        "unit": AGREEMENT_UNIT,
        "n_boot": 1000,
        "seed": 0,
    },
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
    QUOTE_INDEX,
    QUOTES,
    CODEBOOK_PAGE,
    COREQ,
    AGREEMENT,
]
# Documentary steps (timeline, MSG proposals, SPICe Annex A, persistence, source audit).
include: "rules/documents.smk"

STEPS += DOCUMENT_STEPS
VALIDATED = VALIDATE.files["results_path"]
CORPUS_FILES = files_of(CORPUS) + files_of(CODEBOOK)


rule all:
    input:
        f"{OUT}reports/manifest.json",


rule validate:
    input:
        notebook=VALIDATE.notebook,
        code=modules("cli.py", "inputs/second_coding.py"),
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


rule quote_index:
    input:
        notebook=QUOTE_INDEX.notebook,
        code=modules("analysis/__init__.py", "analysis/quotes.py"),
        data=files_of("data/extracts"),
    output:
        **QUOTE_INDEX.files,
        notebook=QUOTE_INDEX.executed,
        provenance=QUOTE_INDEX.provenance,
    params:
        **QUOTE_INDEX.params,
    shell:
        RUN_NOTEBOOK


rule quotes:
    input:
        notebook=QUOTES.notebook,
        code=modules("analysis/__init__.py", "analysis/quotes.py"),
        data=files_of("data/extracts") + CORPUS_FILES,
        table2=SALIENCE.files["table2_path"],
        validated=VALIDATED,
    output:
        **QUOTES.files,
        notebook=QUOTES.executed,
        provenance=QUOTES.provenance,
    params:
        **QUOTES.params,
    shell:
        RUN_NOTEBOOK


rule codebook:
    input:
        notebook=CODEBOOK_PAGE.notebook,
        code=modules("outputs/codebook_page.py"),
        data=files_of(CODEBOOK),
    output:
        **CODEBOOK_PAGE.files,
        notebook=CODEBOOK_PAGE.executed,
        provenance=CODEBOOK_PAGE.provenance,
    params:
        **CODEBOOK_PAGE.params,
    shell:
        RUN_NOTEBOOK


rule coreq:
    input:
        notebook=COREQ.notebook,
        code=modules(),
        data=files_of("data/coreq"),
    output:
        **COREQ.files,
        notebook=COREQ.executed,
        provenance=COREQ.provenance,
    params:
        **COREQ.params,
    shell:
        RUN_NOTEBOOK


rule agreement:
    input:
        notebook=AGREEMENT.notebook,
        code=modules(
            "analysis/__init__.py",
            "analysis/agreement.py",
            "inputs/second_coding.py",
            "charts/agreement.py",
            *[f.removeprefix(SRC) for f in FIGURES],
        ),
        data=CORPUS_FILES,
        validated=VALIDATED,
    output:
        **AGREEMENT.files,
        notebook=AGREEMENT.executed,
        provenance=AGREEMENT.provenance,
    params:
        **AGREEMENT.params,
    shell:
        RUN_NOTEBOOK


# Verification and the report come after every analysis step.
VERIFY = Step(
    "verify",
    "notebooks/90_verify.ipynb",
    {
        "published_dir": PUBLISHED,
        "reports_dir": f"{OUT}reports",
        "quotes_dir": "data/extracts",
        "findings": CORPUS != DEFAULT_CORPUS,
    },
    {
        "verification_path": f"{OUT}reports/verification.csv",
        "audit_path": f"{OUT}reports/tables/quote_index_audit.csv",
        "results_path": f"{OUT}reports/results/verify.json",
    },
    corpus=False,
)
REPORT = Step(
    "report",
    "notebooks/99_report.ipynb",
    {"root": OUT or "."},
    {
        "report_html_path": f"{OUT}reports/report.html",
        "report_pdf_path": f"{OUT}reports/report.pdf",
    },
)
ANALYSIS_OUTPUTS = [f for s in STEPS for f in s.files.values()]
ANALYSIS_PROVENANCE = [s.provenance for s in STEPS]


rule verify:
    input:
        notebook=VERIFY.notebook,
        code=modules(
            "outputs/verify.py",
            "outputs/verify_documents.py",
            "outputs/verification_values.py",
            "analysis/__init__.py",
            "analysis/quotes.py",
        ),
        documents=files_of("data/documents"),
        published=files_of(PUBLISHED),
        quotes=files_of("data/extracts"),
        outputs=ANALYSIS_OUTPUTS,
    output:
        **VERIFY.files,
        notebook=VERIFY.executed,
        provenance=VERIFY.provenance,
    params:
        **VERIFY.params,
    shell:
        RUN_NOTEBOOK


rule report:
    input:
        notebook=REPORT.notebook,
        code=modules(
            "outputs/report.py", "outputs/pdf.py", "templates/report.html.j2"
        ),
        outputs=ANALYSIS_OUTPUTS + list(VERIFY.files.values()),
        provenance=ANALYSIS_PROVENANCE + [VERIFY.provenance],
    output:
        **REPORT.files,
        notebook=REPORT.executed,
        provenance=REPORT.provenance,
    params:
        **REPORT.params,
    shell:
        RUN_NOTEBOOK


rule manifest:
    input:
        fragments=ANALYSIS_PROVENANCE + [VERIFY.provenance, REPORT.provenance],
        outputs=ANALYSIS_OUTPUTS + list(VERIFY.files.values()) + list(REPORT.files.values()),
        code=[SRC + "outputs/provenance.py", SRC + "outputs/disclosure.py", SRC + "cli.py"],
    output:
        f"{OUT}reports/manifest.json",
    params:
        folders=f"{OUT}figures {OUT}reports",
    shell:
        # No manifest (so no finished build) while an output would disclose an identity.
        "compendium check-disclosure {params.folders} --corpus {CORPUS} "
        "--threshold {SUPPRESSION_THRESHOLD} && "
        "compendium manifest {input.fragments} --out {output}"
