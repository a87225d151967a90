"""How people reach help, in the words emails use.

The council's numbers are settings (COUNCIL_PHONE, COUNCIL_OUT_OF_HOURS_PHONE) that reach the
domain in the `Mailer` and `Notifier` the apps build; the national helpline and the opening hours
are written here once, and the web kit hands them to templates too.
"""

from __future__ import annotations

# The National Domestic Abuse Helpline, run by Refuge: free, 24 hours a day.
DOMESTIC_ABUSE_HELPLINE = "0808 2000 247"
OPENING_HOURS = "Monday to Friday, 9am to 5pm"


def call_the_council(phone: str) -> str:
    """ "call the council's housing options team on <phone> (<opening hours>)"."""
    return f"call the council's housing options team on {phone} ({OPENING_HOURS})"


def help_tonight(phone: str, out_of_hours_phone: str, *, you: bool) -> str:
    """Every number someone with nowhere safe to stay tonight may need now. `you` speaks to the
    person themselves; otherwise to someone who referred them."""
    if you:
        has, are, they, someone = "you have", "you are", "you", "you are"
    else:
        has, are, they, someone = "the person has", "they are", "they", "someone is"
    return (
        f"If {someone} in immediate danger, call 999. If {has} nowhere safe to stay tonight, "
        f"{call_the_council(phone)} now. At other times, call the out-of-hours emergency line "
        f"on {out_of_hours_phone}. If {are} experiencing domestic abuse, {they} can call the "
        f"National Domestic Abuse Helpline on {DOMESTIC_ABUSE_HELPLINE} (free, 24 hours a day, "
        "run by Refuge)."
    )
