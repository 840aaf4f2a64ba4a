"""Which spatial zones to harvest: `acv` (the Action Cœur de Ville communes with their EPCI, départements
and régions), a comma-separated list of territory codes, or a file of them (one a line, `#` comments).

Codes are written as in the curated files: `commune:35238`, `epci:200039022`, `departement:35`,
`region:53`; a bare 5-character code is a commune and a bare 9-digit code an EPCI SIREN (a bare 2-digit
code is refused: it could be a département or a région). Every code is checked against the COG extract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from odl_graph.build.importers._common import read_csv, sources_dir
from odl_graph.errors import OdlError

CODE_RE = re.compile(r"^(?:(commune|epci|departement|region):)?([0-9]{2,9}|2[AB][0-9]{0,3})$")


class TerritoryError(OdlError):
    """A --territories value that names no territory of the COG."""


@dataclass(frozen=True)
class Cog:
    communes: dict[str, tuple[str, str, str]]  # INSEE -> (EPCI SIREN, département, région)
    epcis: set[str]
    departements: set[str]
    regions: set[str]


def load_cog(data_dir: Path) -> Cog:
    folder = sources_dir(data_dir, "cog")
    communes = {
        r.get("code"): (r.get("epci"), r.get("departement"), r.get("region"))
        for r in read_csv(folder / "communes.csv", ("code", "epci", "departement", "region"))
    }
    return Cog(
        communes,
        {r.get("code") for r in read_csv(folder / "epci.csv", ("code",))},
        {r.get("code") for r in read_csv(folder / "departements.csv", ("code",))},
        {r.get("code") for r in read_csv(folder / "regions.csv", ("code",))},
    )


def acv_communes(data_dir: Path) -> list[str]:
    """INSEE codes of the ACV communes, from the shipped ACV extract."""
    path = sources_dir(data_dir, "acv") / "acv_communes_2025.csv"
    return [r.get("insee_com") for r in read_csv(path, ("insee_com",))]


def with_parents(communes: list[str], cog: Cog) -> list[str]:
    """Zone ids of the communes, then of their EPCI, départements and régions (each once)."""
    zones = [f"fr:commune:{c}" for c in communes]
    for level, index in (("epci", 0), ("departement", 1), ("region", 2)):
        seen: list[str] = []
        for c in communes:
            code = cog.communes[c][index]
            if code and code not in seen:
                seen.append(code)
        zones += [f"fr:{level}:{code}" for code in seen]
    return zones


def zone_of(code: str, cog: Cog, where: str) -> str:
    m = CODE_RE.match(code.strip())
    if not m:
        raise TerritoryError(f"{where}: {code!r} is not a territory code (commune:INSEE, epci:SIREN, "
                             "departement:CODE or region:CODE)")
    kind, value = m.group(1), m.group(2)
    if kind is None:
        if len(value) == 5:
            kind = "commune"
        elif len(value) == 9:
            kind = "epci"
        else:
            raise TerritoryError(f"{where}: {code!r} is ambiguous; write departement:{value} or region:{value}")
    known = {"commune": cog.communes, "epci": cog.epcis, "departement": cog.departements,
             "region": cog.regions}[kind]
    if value not in known:
        raise TerritoryError(f"{where}: {kind} {value!r} is not in the COG extract")
    return f"fr:{kind}:{value}"


def resolve(spec: str, data_dir: Path) -> list[str]:
    """The zone ids a --territories value names, in order, without repeats."""
    cog = load_cog(data_dir)
    spec = spec.strip()
    if spec.lower() == "acv":
        communes = acv_communes(data_dir)
        missing = [c for c in communes if c not in cog.communes]
        if missing:
            raise TerritoryError(f"ACV communes missing from the COG extract: {', '.join(missing)}")
        return with_parents(communes, cog)
    path = Path(spec)
    items: list[tuple[str, str]] = []
    if path.is_file():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = line.split("#", 1)[0].strip()
            if text:
                items.append((text, f"{path}:{n}"))
    else:
        items = [(c, "--territories") for c in spec.split(",") if c.strip()]
    if not items:
        raise TerritoryError("--territories names no territory")
    zones: list[str] = []
    for code, where in items:
        extra = resolve("acv", data_dir) if code.lower() == "acv" else [zone_of(code, cog, where)]
        zones += [z for z in extra if z not in zones]
    return zones
