from django import template

register = template.Library()


@register.filter
def duration(minutes: object) -> str:
    """Minutes as people say them: "45 min", "2 h", "1 h 30 min"."""
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


@register.filter
def get_item(mapping: object, key: object) -> object:
    """``mapping[key]``, or nothing."""
    return mapping.get(key) if isinstance(mapping, dict) else None
