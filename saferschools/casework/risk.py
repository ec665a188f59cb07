"""The risk-factor catalogue of section 4.17 and how an assessment's level follows from it.

The level is worked out by a published rule, shown to whoever assesses and reads an assessment,
never by a hidden weighting:

- **high** when any factor marked serious is present (a known gang member, say), or six or more
  factors are present, or factors are present in four or more of the five domains;
- **medium** when three or more factors are present, or factors in two or more domains;
- **low** otherwise (no more than two factors, in one domain).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .models import RiskDomain, RiskFactor, RiskLevel

HIGH_FACTORS = 6
HIGH_DOMAINS = 4
MEDIUM_FACTORS = 3
MEDIUM_DOMAINS = 2

# The rule in words, one line per level, as the pages show it.
RULE_LINES: Sequence[tuple[str, str]] = (
    (
        RiskLevel.HIGH,
        f"any serious factor, or {HIGH_FACTORS} or more factors, "
        f"or factors in {HIGH_DOMAINS} or more domains",
    ),
    (
        RiskLevel.MEDIUM,
        f"{MEDIUM_FACTORS} or more factors, or factors in {MEDIUM_DOMAINS} or more domains",
    ),
    (RiskLevel.LOW, "otherwise"),
)
RULE_TEXT = " ".join(f"{RiskLevel(level).label}: {text}." for level, text in RULE_LINES)

# The domains in the guidance's order, for listing factors.
DOMAIN_ORDER = {domain: position for position, domain in enumerate(RiskDomain.values)}
# Levels from lowest to highest, for telling a rise from a fall.
LEVEL_RANK = {level: rank for rank, level in enumerate(RiskLevel.values)}


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    domain: str
    name: str
    serious: bool = False


# The factors the guidance lists (from the Youth Crime Action Plan), in its order.
GUIDANCE_FACTORS: Sequence[CatalogueEntry] = (
    CatalogueEntry("disadvantaged_neighbourhood", RiskDomain.COMMUNITY, "Living in a disadvantaged neighbourhood"),
    CatalogueEntry("neighbourhood_disorganisation", RiskDomain.COMMUNITY, "Disorganisation and neglect in the neighbourhood"),
    CatalogueEntry("drugs_available", RiskDomain.COMMUNITY, "Availability of drugs"),
    CatalogueEntry("population_turnover", RiskDomain.COMMUNITY, "High population turnover"),
    CatalogueEntry("no_neighbourhood_attachment", RiskDomain.COMMUNITY, "Lack of neighbourhood attachment"),
    CatalogueEntry("poor_supervision", RiskDomain.FAMILY, "Poor parental supervision and discipline"),
    CatalogueEntry("family_conflict", RiskDomain.FAMILY, "Conflict within the family"),
    CatalogueEntry("family_criminal_history", RiskDomain.FAMILY, "History of criminal activity in the family"),
    CatalogueEntry("parental_attitudes", RiskDomain.FAMILY, "Parental attitudes that condone anti-social and criminal behaviour"),
    CatalogueEntry("low_income", RiskDomain.FAMILY, "Low income"),
    CatalogueEntry("poor_housing", RiskDomain.FAMILY, "Poor housing"),
    CatalogueEntry("domestic_violence", RiskDomain.FAMILY, "Impact of experience of domestic violence"),
    CatalogueEntry("hyperactivity", RiskDomain.INDIVIDUAL, "Hyperactivity and impulsivity"),
    CatalogueEntry("alienation", RiskDomain.INDIVIDUAL, "Alienation and lack of social commitment"),
    CatalogueEntry("early_crime_or_drugs", RiskDomain.INDIVIDUAL, "Early involvement in crime and drug misuse"),
    CatalogueEntry("peers_in_crime", RiskDomain.INDIVIDUAL, "Friendships involved in crime and drug misuse"),
    CatalogueEntry("low_achievement", RiskDomain.SCHOOL, "Low achievement beginning in primary school"),
    CatalogueEntry("aggressive_behaviour", RiskDomain.SCHOOL, "Aggressive behaviour, including bullying"),
    CatalogueEntry("lack_of_commitment", RiskDomain.SCHOOL, "Lack of commitment, including truancy"),
    CatalogueEntry("gang_member", RiskDomain.OTHER, "Known gang member", serious=True),
    CatalogueEntry("radicalisation", RiskDomain.OTHER, "Specific intelligence of becoming radicalised", serious=True),
)  # fmt: skip


GUIDANCE_CODES = frozenset(entry.code for entry in GUIDANCE_FACTORS)


def catalogue_seed(model: Any) -> None:
    """Add the guidance's factors that are missing to ``model`` (the RiskFactor model, or its
    historical version in a migration); existing rows are left as they are."""
    for position, entry in enumerate(GUIDANCE_FACTORS, start=1):
        model.objects.get_or_create(
            area=None,
            code=entry.code,
            defaults={
                "domain": str(entry.domain),
                "name": entry.name,
                "serious": entry.serious,
                "position": position,
            },
        )


def catalogue_order(factor: RiskFactor) -> tuple[int, int, str]:
    """Sort key of the catalogue: domain in the guidance's order, then position, then name."""
    return (DOMAIN_ORDER.get(factor.domain, len(DOMAIN_ORDER)), factor.position, factor.name)


def trend(level: str, previous: str | None) -> str:
    """How a level compares with the one before, in words: "up from medium", "no change"."""
    if previous is None:
        return "first assessment"
    if level == previous:
        return "no change"
    direction = "up" if LEVEL_RANK[level] > LEVEL_RANK[previous] else "down"
    return f"{direction} from {RiskLevel(previous).label.lower()}"


@dataclass(frozen=True)
class LevelResult:
    level: str
    reason: str


def risk_level(factors: Iterable[RiskFactor]) -> LevelResult:
    """The level of an assessment with these factors present, and the reason in words."""
    factors = list(factors)
    count = len(factors)
    domains = {factor.domain for factor in factors}
    serious = [factor.name for factor in factors if factor.serious]
    counted = f"{count} factor{'s' if count != 1 else ''} in {len(domains)} domain" + (
        "s" if len(domains) != 1 else ""
    )
    if serious:
        return LevelResult(RiskLevel.HIGH, f"High: a serious factor is present ({serious[0]}).")
    if count >= HIGH_FACTORS or len(domains) >= HIGH_DOMAINS:
        return LevelResult(RiskLevel.HIGH, f"High: {counted}.")
    if count >= MEDIUM_FACTORS or len(domains) >= MEDIUM_DOMAINS:
        return LevelResult(RiskLevel.MEDIUM, f"Medium: {counted}.")
    if not count:
        return LevelResult(RiskLevel.LOW, "Low: no factors present.")
    return LevelResult(RiskLevel.LOW, f"Low: {counted}.")
