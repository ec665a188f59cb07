"""The demo partnership's evaluation: persistent absence against automatically chosen
comparison schools, made by the area's analyst through the real service, on the indicator
history the demo loads before it."""

from saferschools.accounts.models import User
from saferschools.core.models import Partnership, School

from .evaluation_services import evaluation_create

SOURCE = "command:demo"
ANALYST = "analyst@surreycc.example"
INDICATOR = "persistent_absence"


def demo_evaluation(
    *, partnership: Partnership, secondary: School, primaries: list[School]
) -> None:
    """Evaluate the partnership's effect on persistent absence, once: loading the demo again
    finds the evaluation already made (``evaluation_create`` does not record a repeat)."""
    evaluation_create(
        actor=User.objects.get(email=ANALYST),
        partnership=partnership,
        indicator=INDICATOR,
        source=SOURCE,
    )
