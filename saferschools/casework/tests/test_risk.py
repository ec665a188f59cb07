"""The published level rule, its words, the catalogue's order and the trend between levels."""

import pytest

from saferschools.casework import risk
from saferschools.casework.models import RiskDomain, RiskFactor, RiskLevel

DOMAINS = list(RiskDomain.values)


def factors(*domains: str, serious: int = 0) -> list[RiskFactor]:
    """Unsaved factors, one per domain given (a domain repeated gives several in it)."""
    made = [
        RiskFactor(code=f"f{index}", domain=domain, name=f"Factor {index}")
        for index, domain in enumerate(domains)
    ]
    for factor in made[:serious]:
        factor.serious = True
    return made


@pytest.mark.parametrize(
    ("domains", "level"),
    [
        pytest.param([], RiskLevel.LOW, id="none"),
        pytest.param(["family"], RiskLevel.LOW, id="one"),
        pytest.param(["family", "family"], RiskLevel.LOW, id="two-in-one-domain"),
        pytest.param(["family", "school"], RiskLevel.MEDIUM, id="two-domains"),
        pytest.param(["family"] * 3, RiskLevel.MEDIUM, id="three-in-one-domain"),
        pytest.param(["family"] * 5, RiskLevel.MEDIUM, id="five-in-one-domain"),
        pytest.param(["family"] * 6, RiskLevel.HIGH, id="six-in-one-domain"),
        pytest.param(["family", "school", "community"], RiskLevel.MEDIUM, id="three-domains"),
        pytest.param(
            ["family", "school", "community", "individual"], RiskLevel.HIGH, id="four-domains"
        ),
    ],
)
def test_the_level_follows_the_published_counts(domains, level):
    assert risk.risk_level(factors(*domains)).level == level


def test_one_serious_factor_makes_the_level_high_on_its_own():
    result = risk.risk_level(factors("other", serious=1))
    assert result.level == RiskLevel.HIGH
    assert result.reason == "High: a serious factor is present (Factor 0)."


def test_the_reason_counts_factors_and_domains_in_words():
    assert risk.risk_level([]).reason == "Low: no factors present."
    assert risk.risk_level(factors("family")).reason == "Low: 1 factor in 1 domain."
    assert (
        risk.risk_level(factors("family", "school", "school")).reason
        == "Medium: 3 factors in 2 domains."
    )
    assert risk.risk_level(factors(*DOMAINS[:4])).reason == "High: 4 factors in 4 domains."


def test_the_rule_in_words_matches_the_thresholds():
    assert risk.RULE_TEXT == (
        "High: any serious factor, or 6 or more factors, or factors in 4 or more domains. "
        "Medium: 3 or more factors, or factors in 2 or more domains. Low: otherwise."
    )


@pytest.mark.parametrize(
    ("level", "previous", "words"),
    [
        ("high", None, "first assessment"),
        ("high", "medium", "up from medium"),
        ("medium", "low", "up from low"),
        ("low", "high", "down from high"),
        ("medium", "medium", "no change"),
    ],
)
def test_the_trend_is_said_in_words(level, previous, words):
    assert risk.trend(level, previous) == words


def test_the_guidance_catalogue_has_every_domain_and_two_serious_factors():
    assert {entry.domain for entry in risk.GUIDANCE_FACTORS} == set(DOMAINS)
    assert len(risk.GUIDANCE_CODES) == len(risk.GUIDANCE_FACTORS) == 21
    assert {entry.code for entry in risk.GUIDANCE_FACTORS if entry.serious} == {
        "gang_member",
        "radicalisation",
    }


def test_the_catalogue_orders_by_domain_then_position_then_name():
    unordered = [
        RiskFactor(code="b", domain="school", name="B", position=1),
        RiskFactor(code="z", domain="community", name="Z", position=2),
        RiskFactor(code="a", domain="community", name="A", position=2),
        RiskFactor(code="c", domain="community", name="C", position=1),
    ]
    assert [f.code for f in sorted(unordered, key=risk.catalogue_order)] == ["c", "a", "z", "b"]


@pytest.mark.django_db
def test_the_migration_seeds_the_guidance_factors_in_order():
    seeded = sorted(RiskFactor.objects.filter(area__isnull=True), key=risk.catalogue_order)
    assert [f.code for f in seeded] == [entry.code for entry in risk.GUIDANCE_FACTORS]
    # Seeding again adds nothing and changes nothing.
    risk.catalogue_seed(RiskFactor)
    assert RiskFactor.objects.filter(area__isnull=True).count() == 21
