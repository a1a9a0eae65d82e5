"""Template filters that mask contact data (webcare/access/mask.py) where a template prints it."""

from __future__ import annotations

from django import template

from webcare.access import mask
from webcare.customers.models import Identity

register = template.Library()


@register.filter
def masked_code(value: str) -> str:
    """A customer number: only its last two characters."""
    return mask.mask_code(value or "")


@register.filter
def masked_identity(identity: Identity) -> str:
    """What a list shows of an identity (its handle, else its platform id), masked where it is contact data."""
    return mask.mask_identity_value(identity.platform, identity.handle or identity.external_id)


@register.filter
def masked_contact(value: str) -> str:
    """A name as a platform gave it: masked only when it is an e-mail address or a phone number."""
    return mask.mask_contact(value or "", need_plus=False)
