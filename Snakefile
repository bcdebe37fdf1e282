# The compendium's pipeline.  Every step is one notebook declared in notebooks/steps.yaml
# (inputs, parameters, outputs, report section); this file makes one rule per declaration, then
# prints the report to PDF, scans every output for disclosure, merges the provenance and
# describes the build as an RO-Crate.
#
#   snakemake --cores 2                                   # the surrogate corpus
#   snakemake --cores 2 --config corpus=data/coded/mine   # another corpus -> builds/mine/
#   snakemake --cores 2 --config intersections_high=0.6   # change a parameter
#
# Snakemake does not see inside notebooks, so each rule's code inputs are the src/compendium
# files the notebook imports, followed transitively (compendium.pipeline.code_dependencies).

import json
import sys
from pathlib import Path

from compendium.inputs.errors import InputError
from compendium.outputs.crate import DESCRIBED
from compendium.pipeline.steps import build_values, read_declarations, resolve_steps

try:  # names, types, ranges and defaults: src/compendium/schemas/pipeline_config.json
    # OUT: "" or builds/<corpus>[__<name>-<value>]/, where differences are findings
    PARAMETERS, VALUES, OUT = build_values(config)
    CORPUS = PARAMETERS["corpus"]
    STEPS = resolve_steps(read_declarations(), VALUES, OUT)
except InputError as exc:  # one line, no traceback, nothing built
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(2)

PACKAGE = "src/compendium"
REPORT_HTML = f"{OUT}reports/report.html"
REPORT_PDF = f"{OUT}reports/report.pdf"
PDF_PROVENANCE = f"{OUT}reports/provenance/pdf.json"
MANIFEST = f"{OUT}reports/manifest.json"
DISCLOSURE = f"{OUT}reports/disclosure.json"
CRATE = f"{OUT}ro-crate-metadata.json"  # at the build's root (compendium.outputs.crate)
# The PDF is made by the rule pdf but recorded through its fragment (see there).
BUILT = [f for s in STEPS for f in s.built] + [PDF_PROVENANCE]
FRAGMENTS = [s.provenance for s in STEPS] + [PDF_PROVENANCE]

# papermill writes the executed notebook cell by cell, so it writes to a scratch file; the
# cleaned copy then replaces the output atomically (an interrupted build leaves no half-written
# notebook in reports/).  A failed run stays in .cache/runs/ for inspection.  The executed
# notebook is also rendered as a static HTML page beside it, which the report's captions link to.
RUN_NOTEBOOK = (
    "scratch={params.scratch} && mkdir -p $(dirname $scratch) && "
    "papermill {input.notebook} $scratch -k python3 --cwd . --start-timeout 300 "
    "--no-progress-bar --log-level WARNING -y {params.json:q} > /dev/null "
    "&& compendium clean-notebook $scratch --out {output.notebook} && rm -f $scratch "
    "&& compendium notebook-page {output.notebook} --out {output.page} "
    "&& compendium provenance --step {rule} --notebook {input.notebook} "
    "--executed {output.notebook} --parameters {params.json:q} --corpus '{params.corpus}' "
    "--inputs {input} --outputs {params.outputs} --out {output.provenance}"
)


rule all:
    input:
        MANIFEST,
        DISCLOSURE,
        CRATE,


for step in STEPS:

    rule:
        name:
            step.name
        input:
            notebook=step.notebook,
            code=step.code,
            data=step.data,
            upstream=step.upstream,
        output:
            **step.files,
            notebook=step.executed,
            page=step.page,
            provenance=step.provenance,
        params:
            json=json.dumps(step.parameters, sort_keys=True),
            outputs=" ".join(sorted([*step.files.values(), step.page])),
            corpus=CORPUS if step.from_corpus else "",
            scratch=f".cache/runs/{OUT}{step.name}.ipynb",
        shell:
            RUN_NOTEBOOK


# The PDF is not a declared output: printed, it is listed in the fragment, and so in the
# manifest; where no browser can be found the rule writes no PDF, and the fragment (then the
# manifest's not_built) says so and why, so that every other output is still made.
rule pdf:
    input:
        html=REPORT_HTML,
        code=f"{PACKAGE}/outputs/pdf.py",
    output:
        provenance=PDF_PROVENANCE,
    params:
        pdf=REPORT_PDF,
        corpus=CORPUS,
    shell:
        "compendium pdf {input.html} --out {params.pdf} --provenance {output.provenance} "
        "--corpus {params.corpus} --skip-without-browser"


rule manifest:
    input:
        fragments=FRAGMENTS,
        outputs=BUILT,
        code=[f"{PACKAGE}/outputs/provenance.py", f"{PACKAGE}/cli.py"],
    output:
        MANIFEST,
    shell:
        "compendium manifest {input.fragments} --out {output}"


# After the manifest and the disclosure scan: the build as an RO-Crate (not in the manifest).
rule crate:
    input:
        manifest=MANIFEST,
        disclosure=DISCLOSURE,
        described=DESCRIBED,
        code=[f"{PACKAGE}/outputs/crate.py", f"{PACKAGE}/cli.py"],
    output:
        CRATE,
    params:
        json=json.dumps(PARAMETERS, sort_keys=True),
    shell:
        "compendium crate {input.manifest} --out {output} --parameters {params.json:q}"


# Beside the manifest: no finished build while an output would disclose an identity.
rule disclosure:
    input:
        outputs=BUILT,
        code=[f"{PACKAGE}/outputs/disclosure.py", f"{PACKAGE}/cli.py"],
    output:
        DISCLOSURE,
    params:
        folders=f"{OUT}figures {OUT}reports",
        threshold=PARAMETERS["suppression_threshold"],
    shell:
        "compendium check-disclosure {params.folders} --corpus {CORPUS} "
        "--threshold {params.threshold} --record {output}"


onerror:
    # A failed disclosure scan leaves no manifest, so the build never looks finished.
    if not Path(DISCLOSURE).exists():
        Path(MANIFEST).unlink(missing_ok=True)
