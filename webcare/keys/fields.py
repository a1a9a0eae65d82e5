"""Model fields encrypted at rest with the data key of the row's customer.

Reading is transparent (``from_db_value`` decrypts; plaintext left from before encryption is read as it is; a value
whose key was destroyed reads as an :class:`~webcare.keys.sealing.Unreadable` notice). Writing encrypts in
``pre_save`` — which ``save()``, ``bulk_create()`` and :mod:`webcare.core.bulk` all call — with the key found for the
row, in this order:

1. a key a bulk writer set on the object with :func:`use_key` (the ingestion worker asks for a whole batch's keys at
   once: :func:`webcare.keys.keyring.keys_for_customers`);
2. else the model's ``encryption_owner()`` → ``(organisation id, customer id or None)`` → that customer's key
   (created on first use), or the organisation's key when there is no customer.

A plain value that bypasses ``pre_save`` — ``QuerySet.update(text="…")``, ``bulk_update()``, ``filter(text="…")`` —
raises :class:`PlaintextWriteError` instead of storing (or searching) plaintext. Only the empty value may be written
that way (clearing is never a leak).

The columns keep their types (text; JSON for the JSON variants), and ``deconstruct()`` names Django's own field, so no
migration rewrites a table to add encryption and data migrations see the stored form.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from webcare.keys.keyring import Key, key_for_customer
from webcare.keys.sealing import Token, Unreadable, is_token, open_text, seal_text

KEY_ATTRIBUTE = "_webcare_data_key"
#: Lookups that cannot leak or silently miss on ciphertext (``exact`` and ``in`` only with the empty value).
_ALLOWED_LOOKUPS = frozenset({"exact", "in", "isnull"})


class PlaintextWriteError(ValueError):
    """A plain value was about to reach an encrypted column without being encrypted."""


def use_key(instance: models.Model, key: Key) -> None:
    """Encrypt ``instance``'s encrypted fields with ``key`` (set by bulk writers that fetched keys for a batch)."""
    setattr(instance, KEY_ATTRIBUTE, key)


def key_of(instance: models.Model) -> Key:
    """The key ``instance``'s encrypted fields are written with (see the module docstring)."""
    key = instance.__dict__.get(KEY_ATTRIBUTE)
    if key is None and (source := getattr(instance, "encryption_source", None)) is not None:
        key = key_of(source())  # e.g. an outbound job: its message's key (often already known)
        use_key(instance, key)
    if key is None:
        owner = getattr(instance, "encryption_owner", None)
        if owner is None:
            raise TypeError(f"{type(instance).__name__} has encrypted fields but no encryption_owner()")
        organisation_id, customer_id = owner()
        key = key_for_customer(organisation_id, customer_id)
        use_key(instance, key)
        if getattr(instance, "data_key", False) is None and key.customer_id == instance.pk:
            # A customer's own row: keep the pointer just set in the database, so a later full save() keeps it.
            instance.data_key = key.id  # type: ignore[attr-defined]
    return key


def _label(field: models.Field[Any, Any]) -> str:
    return f"{field.model._meta.label_lower}.{field.name}"


def _refuse(field: models.Field[Any, Any]) -> PlaintextWriteError:
    return PlaintextWriteError(
        f"{_label(field)} is encrypted at rest: a plain value cannot be written with QuerySet.update(), "
        "bulk_update() or used in a lookup. Set it on the object and save() it (or write it with "
        "webcare.core.bulk), which encrypts it; search the masked text (redacted_text) instead."
    )


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column holding ``wce1:<key id>:<ciphertext>`` (see :mod:`webcare.keys.sealing`)."""

    encrypted = True

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs

    @property
    def label(self) -> str:
        return _label(self)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        return open_text(value, self.label)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None or value == "" or isinstance(value, Token):
            return value
        if isinstance(value, Unreadable):
            return Token(value.stored)  # written back as it was: never destroyed by a save
        return seal_text(key_of(model_instance), str(value), self.label)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Unreadable):
            return value.stored
        if value is None or value == "" or isinstance(value, Token):
            return value if value is None else str(value)
        if hasattr(value, "resolve_expression"):
            return value
        raise _refuse(self)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in _ALLOWED_LOOKUPS:
            raise FieldError(f"{_label(self)} is encrypted at rest and cannot be searched with '{lookup_name}'; "
                             "search redacted_text (the masked text) instead")
        return super().get_lookup(lookup_name)


class UnreadableList(list[Any]):
    """An encrypted JSON list whose key is gone: empty, with the reason and the stored token kept."""

    def __init__(self, reason: str, stored: str) -> None:
        super().__init__()
        self.reason, self.stored = reason, stored


class UnreadableDict(dict[str, Any]):
    """An encrypted JSON object whose key is gone: ``{"unreadable": reason}``, with the stored token kept."""

    def __init__(self, reason: str, stored: str) -> None:
        super().__init__(unreadable=reason)
        self.reason, self.stored = reason, stored


def seal_json(key: Key, value: Any, label: str) -> Token:
    return seal_text(key, json.dumps(value, separators=(",", ":"), ensure_ascii=False), label)


class SealableJSONField(models.JSONField):  # type: ignore[type-arg]
    """A JSON column that holds plain JSON until someone seals it (sets a :class:`Token` from :func:`seal_json`),
    after which it holds the token as a JSON string; reading decrypts either way.

    For raw deliveries (``InboundEvent.payload`` / ``raw``): they must be plain while waiting for the worker (it
    does not know whose they are yet), and are sealed under their customer's key when processed.
    """

    #: What an unreadable value reads as: a list or a dict.
    unreadable_type: type[UnreadableList] | type[UnreadableDict] = UnreadableDict

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs

    @property
    def label(self) -> str:
        return _label(self)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        decoded = super().from_db_value(value, expression, connection)
        if not is_token(decoded):
            return decoded
        text = open_text(decoded, self.label)
        if isinstance(text, Unreadable):
            return self.unreadable_type(text.reason, text.stored)
        return json.loads(text)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, UnreadableList | UnreadableDict):
            return value.stored
        if isinstance(value, Token):
            return str(value)
        return super().get_prep_value(value)


class EncryptedJSONField(SealableJSONField):
    """A JSON column that is always encrypted when it has content (e.g. ``Message.edits``, the earlier texts; an
    outbound job's request). Unreadable content reads as an empty value of the type of the field's default."""

    encrypted = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unreadable_type = UnreadableList if self.default is list else UnreadableDict

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if not value or isinstance(value, Token | UnreadableList | UnreadableDict):
            return value
        return seal_json(key_of(model_instance), value, self.label)

    def get_prep_value(self, value: Any) -> Any:
        if (value is None or isinstance(value, Token | UnreadableList | UnreadableDict)
                or hasattr(value, "resolve_expression") or (isinstance(value, list | dict) and not value)):
            return super().get_prep_value(value)
        raise _refuse(self)
