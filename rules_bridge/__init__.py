"""Rules bridge: the Paris Méd' grid (versioned YAML), the explained floor-aid estimate and partner orientation.

Public API (see docs/contracts.md)::

    from rules_bridge import estimate, orient, extract, explain_markdown, Profile, Estimate, ProfileError
    e = estimate({"professionnels": [{"profession": "kiné", "nombre": 3}], "arrondissement": 19})
    e.to_contract()
    orient("je cherche un local dans le 19e").to_contract()
    orient("déclaration d'impôts").partenaires  # []: no partner of the list matches (its contract says NO_PARTNER)
    orient("", general=True)  # the general list: the caller knows partners are asked in general (a button)
    describe_error(pydantic_error)  # (field, French message naming it): the one wording of a profile's problems
    extract("Nous sommes 3 kinés dans le 19e")
    stated_criteria("notre local est dans un QPV")  # StatedCriteria(qpv=True, projet_sante=None)
    zone_ars(19)  # ZoneArs(zone="zip", libelle=..., hypothese=..., sources=[...]); str(...) == "zip"
    vocabulary().normalise("profession", "kinés")  # "masseur_kinesitherapeute" (one vocabulary everywhere)
    MAX_PROFESSIONALS  # the one headcount limit
    parse_place("Paris Centre")  # Place(arrondissement=1, code_postal=None, note=...): the one place parser
    configure_grids(version, extra_dirs)  # called by the composition root: active grid, staff-loaded versions
"""

from rules_bridge.calibration import CalibrationReport, calibrate
from rules_bridge.engine import DetailLine, Estimate, NonRetenu, estimate
from rules_bridge.errors import (
    GridError,
    ProfileError,
    RulesBridgeError,
    describe_error,
    profile_error_from_validation,
)
from rules_bridge.explain import explain_html, explain_markdown
from rules_bridge.extraction import JOINED_PROJECT, Extraction, StatedCriteria, extract, stated_criteria
from rules_bridge.grid import Grid, GridInfo, configure_grids, list_grids, load_grid, newest_version, read_grid_file
from rules_bridge.limits import MAX_PROFESSIONALS
from rules_bridge.orientation import NO_PARTNER, Orientation, orient
from rules_bridge.partners import Partner, PartnerDirectory
from rules_bridge.places import Place, parse_place
from rules_bridge.profile import Professionnel, Profile, coerce_profile
from rules_bridge.vocabulary import Vocabulaire, vocabulary
from rules_bridge.zones import ZoneArs, zone_ars


def warm_up(nlp: bool = True) -> None:
    """Load the grid, the reference data and (if ``nlp``) the spaCy model now, e.g. at application start-up."""
    load_grid()
    if nlp:
        extract("Deux kinés dans le 19e cherchent un local")


__all__ = [
    "JOINED_PROJECT",
    "Place",
    "parse_place",
    "CalibrationReport",
    "calibrate",
    "MAX_PROFESSIONALS",
    "NonRetenu",
    "Vocabulaire",
    "configure_grids",
    "newest_version",
    "read_grid_file",
    "vocabulary",
    "DetailLine",
    "Estimate",
    "Extraction",
    "StatedCriteria",
    "stated_criteria",
    "Grid",
    "GridError",
    "GridInfo",
    "Orientation",
    "Partner",
    "PartnerDirectory",
    "Professionnel",
    "Profile",
    "ProfileError",
    "RulesBridgeError",
    "ZoneArs",
    "coerce_profile",
    "describe_error",
    "estimate",
    "explain_html",
    "explain_markdown",
    "extract",
    "list_grids",
    "load_grid",
    "orient",
    "NO_PARTNER",
    "profile_error_from_validation",
    "warm_up",
    "zone_ars",
]
