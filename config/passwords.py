"""Password rules beyond Django's: a mix of kinds of characters.

Government systems here are audited against the 等级保护 baseline, which asks for passwords that
mix at least three kinds of characters; together with Django's length, similarity, common-password
and all-digits checks this refuses the passwords people pick first.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KINDS = (str.islower, str.isupper, str.isdigit)


def kinds_in(password):
    """How many of: lower-case letters, upper-case letters, digits, anything else."""
    found = {index for ch in password for index, test in enumerate(KINDS) if test(ch)}
    if any(not any(test(ch) for test in KINDS) for ch in password):
        found.add(len(KINDS))
    return len(found)


class CharacterKindsValidator:
    def __init__(self, min_kinds=3):
        self.min_kinds = min_kinds

    def validate(self, password, user=None):
        if kinds_in(password) < self.min_kinds:
            raise ValidationError(self.get_help_text(), code="password_too_plain")

    def get_help_text(self):
        return _(
            "Your password must contain at least %(kinds)d of these kinds of characters: "
            "lower-case letters, upper-case letters, digits, other characters (such as - or #)."
        ) % {"kinds": self.min_kinds}
