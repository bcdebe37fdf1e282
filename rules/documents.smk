# Documentary steps (issue 5): timelines, MSG proposals, SPICe Annex A, barrier persistence and
# the source audit, rebuilt from the documentary data package data/documents/.  None depends on
# the coded corpus (corpus=False).  Included by the Snakefile after Step, RUN_NOTEBOOK,
# modules(), files_of(), FIGURES, SRC and OUT are defined.

DOCUMENTS = "data/documents"
DOCUMENT_FILES = files_of(DOCUMENTS)
DOCUMENT_CODE = ["inputs/documents.py", "analysis/__init__.py"]
FIGURE_CODE = [f.removeprefix(SRC) for f in FIGURES]

TIMELINE = Step(
    "timeline",
    "notebooks/10_timeline.ipynb",
    {"documents_dir": DOCUMENTS},
    {
        "timeline_path": f"{OUT}reports/tables/timeline.csv",
        "figure_stem": f"{OUT}figures/timeline",
        "results_path": f"{OUT}reports/results/timeline.json",
    },
    {"first_year": 1999, "last_year": 2026},
    corpus=False,
)
MSG_PROPOSALS = Step(
    "msg_proposals",
    "notebooks/11_msg_proposals.ipynb",
    {"documents_dir": DOCUMENTS, "codebook_dir": CODEBOOK},
    {
        "proposals_path": f"{OUT}reports/tables/msg_proposals.csv",
        "features_path": f"{OUT}reports/tables/msg_features.csv",
        "matrix_path": f"{OUT}reports/tables/msg_crosswalk_matrix.csv",
        "figure_stem": f"{OUT}figures/msg_proposals",
        "results_path": f"{OUT}reports/results/msg_proposals.json",
    },
    {"published": "2019-02-04"},
    corpus=False,
)
EXPENDITURE = Step(
    "expenditure",
    "notebooks/12_expenditure.ipynb",
    {"documents_dir": DOCUMENTS},
    {
        "check_path": f"{OUT}reports/tables/expenditure_check.csv",
        "results_path": f"{OUT}reports/results/expenditure.json",
    },
    corpus=False,
)
PERSISTENCE = Step(
    "persistence",
    "notebooks/13_persistence.ipynb",
    {"documents_dir": DOCUMENTS, "codebook_dir": CODEBOOK},
    {
        "table_path": f"{OUT}reports/tables/barrier_persistence.csv",
        "figure_stem": f"{OUT}figures/barrier_persistence",
        "results_path": f"{OUT}reports/results/persistence.json",
    },
    corpus=False,
)
SOURCE_AUDIT = Step(
    "source_audit",
    "notebooks/14_source_audit.ipynb",
    {"documents_dir": DOCUMENTS},
    {
        "table_path": f"{OUT}reports/tables/source_discrepancies.csv",
        "results_path": f"{OUT}reports/results/source_audit.json",
    },
    corpus=False,
)

DOCUMENT_STEPS = [TIMELINE, MSG_PROPOSALS, EXPENDITURE, PERSISTENCE, SOURCE_AUDIT]


rule timeline:
    input:
        notebook=TIMELINE.notebook,
        code=modules(
            *DOCUMENT_CODE, "analysis/timeline.py", "charts/timeline.py", *FIGURE_CODE
        ),
        data=DOCUMENT_FILES,
    output:
        **TIMELINE.files,
        notebook=TIMELINE.executed,
        provenance=TIMELINE.provenance,
    params:
        **TIMELINE.params,
    shell:
        RUN_NOTEBOOK


rule msg_proposals:
    input:
        notebook=MSG_PROPOSALS.notebook,
        code=modules(
            *DOCUMENT_CODE,
            "analysis/msg_proposals.py",
            "charts/msg_proposals.py",
            *FIGURE_CODE,
        ),
        data=DOCUMENT_FILES + files_of(CODEBOOK),
    output:
        **MSG_PROPOSALS.files,
        notebook=MSG_PROPOSALS.executed,
        provenance=MSG_PROPOSALS.provenance,
    params:
        **MSG_PROPOSALS.params,
    shell:
        RUN_NOTEBOOK


rule expenditure:
    input:
        notebook=EXPENDITURE.notebook,
        code=modules(*DOCUMENT_CODE, "analysis/expenditure.py"),
        data=DOCUMENT_FILES,
    output:
        **EXPENDITURE.files,
        notebook=EXPENDITURE.executed,
        provenance=EXPENDITURE.provenance,
    params:
        **EXPENDITURE.params,
    shell:
        RUN_NOTEBOOK


rule persistence:
    input:
        notebook=PERSISTENCE.notebook,
        code=modules(
            *DOCUMENT_CODE,
            "analysis/persistence.py",
            "charts/persistence.py",
            *FIGURE_CODE,
        ),
        data=DOCUMENT_FILES + files_of(CODEBOOK),
    output:
        **PERSISTENCE.files,
        notebook=PERSISTENCE.executed,
        provenance=PERSISTENCE.provenance,
    params:
        **PERSISTENCE.params,
    shell:
        RUN_NOTEBOOK


rule source_audit:
    input:
        notebook=SOURCE_AUDIT.notebook,
        code=modules(*DOCUMENT_CODE, "analysis/discrepancies.py"),
        data=DOCUMENT_FILES,
    output:
        **SOURCE_AUDIT.files,
        notebook=SOURCE_AUDIT.executed,
        provenance=SOURCE_AUDIT.provenance,
    params:
        **SOURCE_AUDIT.params,
    shell:
        RUN_NOTEBOOK
