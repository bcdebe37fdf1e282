"""What an import did (:class:`ImportReport`), printed by ``compendium import-qdpx``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ImportReport:
    """What an import did: counts, and every code or coding that did not become a segment."""

    out_dir: Path
    participants: int = 0
    analysed: int = 0
    withdrawn: int = 0
    segments: int = 0
    dual_coded: int = 0
    unmapped_codes: dict[str, int] = field(default_factory=dict)
    ignored_codes: dict[str, int] = field(default_factory=dict)
    withdrawn_codings: int = 0
    uncased_codings: int = 0
    source_codings: int = 0
    second_coders: dict[str, int] = field(default_factory=dict)
    second_unmatched: int = 0
    idle_codes: int = 0  # leaf codes of the project's codebook: not in the mapping, code nothing
    links: dict[str, int] = field(default_factory=dict)  # link type -> links imported
    links_not_imported: dict[str, int] = field(default_factory=dict)  # reason -> links
    route: str = ""  # where participants were read from (mapping.ROUTES)
    route_detail: str = ""
    records: int = 0  # cases or sources the participants were read from
    sources: int = 0  # sources of the project, of every kind
    text_sources: int = 0
    participant_sources: int = 0  # text sources that are a participant's transcript
    codings: int = 0  # codings of text selections
    segment_codings: int = 0  # the primary coder's mapped codings of analysed participants
    inherited: dict[str, int] = field(default_factory=dict)  # mapped parent -> descendants' codings

    def lines(self) -> list[str]:
        out = [
            f"imported {self.participants} participants ({self.analysed} analysed, "
            f"{self.withdrawn} withdrawn), {self.segments} segments ({self.dual_coded} "
            f"dual-coded) into {self.out_dir}"
        ]
        read = "case(s)" if self.route == "cases" else "text source(s)"
        out.append(
            f"participants from {self.route} ({self.route_detail}): {self.records} {read} -> "
            f"{self.participants} participant(s)"
        )
        out.append(
            f"sources: {self.sources} in the project, {self.text_sources} with text, "
            f"{self.participant_sources} of them a participant's"
        )
        second = sum(self.second_coders.values())
        out.append(
            f"codings: {self.codings} of text selections -> {self.segment_codings} to "
            f"{self.segments} segment(s), {second} to the second coding, "
            f"{self.codings - self.segment_codings - second} not imported"
            + (f"; {self.source_codings} of whole sources" if self.source_codings else "")
        )
        if self.links or self.links_not_imported:
            done, left = sum(self.links.values()), sum(self.links_not_imported.values())
            out.append(f"links: {done + left} -> {done} imported, {left} not imported")
        for code, n in sorted(self.inherited.items()):
            out.append(f"parent code {code!r}: {n} coding(s) of codes under it imported as it is")
        for code, n in sorted(self.unmapped_codes.items()):
            out.append(f"unmapped code {code!r}: {n} coding(s) not imported (not in the mapping)")
        for code, n in sorted(self.ignored_codes.items()):
            out.append(f"ignored code {code!r}: {n} coding(s) not imported (mapped to null)")
        if self.idle_codes:
            out.append(
                f"{self.idle_codes} code(s) of the project's codebook are not in the mapping "
                "and code nothing"
            )
        if self.links:
            kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.links.items()))
            out.append(f"{sum(self.links.values())} link(s) imported as link types ({kinds})")
        for reason, n in sorted(self.links_not_imported.items()):
            out.append(f"{n} link(s) not imported: {reason}")
        if self.withdrawn_codings:
            out.append(f"{self.withdrawn_codings} coding(s) of withdrawn cases not imported")
        if self.uncased_codings:
            out.append(f"{self.uncased_codings} coding(s) in sources of no case not imported")
        for coder, n in sorted(self.second_coders.items()):
            out.append(f"second coder {coder!r}: {n} coding(s) -> second_coding.csv")
        if self.second_unmatched:
            out.append(
                f"{self.second_unmatched} second-coder coding(s) overlap no segment of the "
                "primary coder: not compared"
            )
        if self.source_codings:
            out.append(
                f"{self.source_codings} coding(s) of whole sources (not of a text selection) "
                "not imported"
            )
        return out
