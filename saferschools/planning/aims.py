"""The guidance's menu of desired outcomes for each core aim (the table in section 1.11), offered
when a partnership chooses its aims and its work-plan's outcomes. Partnerships may add their own.

The table has no row for focused enforcement; its outcome here is taken from section 1.2
("pupils who engage in anti-social behaviour or crime can be dealt with quickly and
appropriately to prevent unnecessary criminalisation").
"""

from .models import CoreAim

OUTCOME_MENU: dict[str, tuple[str, ...]] = {
    CoreAim.SAFETY: (
        "All pupils report feeling safer because there are positive relationships between "
        "police, partners and pupils",
        "Reduced pupil or staff concern about hotspots on the school site, school travel and "
        "the school neighbourhood",
    ),
    CoreAim.VICTIMS: (
        "Pupils are more aware of risk factors to becoming victims and more confident in how "
        "to avoid victimisation",
        "Pupils feel safer and more secure at school",
        "Pupils who become victims have support and advice on how to deal with it",
        "Pupils have more confidence in how to get help if they need it",
    ),
    CoreAim.ENFORCEMENT: (
        "Pupils who engage in anti-social behaviour or crime are dealt with quickly and "
        "appropriately, preventing unnecessary criminalisation",
    ),
    CoreAim.EARLY_IDENTIFICATION: (
        "Pupils most at risk of causing harm are challenged or supported through early "
        "intervention services tackling behaviour, attendance and mental health",
    ),
    CoreAim.BEHAVIOUR_ATTENDANCE: (
        "Reduction in pupil absence, particularly persistent absence",
        "Reduction in the need for exclusions",
    ),
    CoreAim.RELATIONS: (
        "Police presence on school premises allows young people to become comfortable and "
        "familiar with police, and to build up trust",
    ),
    CoreAim.BEYOND_SITE: (
        "Reduced pupil or staff concern about hotspots on the school site, school travel and "
        "the school neighbourhood",
    ),
}


def outcome_menu(aim: str) -> tuple[str, ...]:
    """The guidance's desired outcomes for a core aim (empty for an unknown code)."""
    return OUTCOME_MENU.get(aim, ())
