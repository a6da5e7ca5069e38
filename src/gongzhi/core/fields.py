"""Model fields for personal data kept encrypted at rest (see core.crypto).

``SealedCharField`` stores a sealed token and gives back the plain value; its companion
``DigestField`` (named ``<field>_digest``) holds the keyed digest that exact lookups use.
``filter(phone=x)``, ``exclude(phone="")`` and ``filter(id_number__in=[...])`` or
``__in=<a queryset of another sealed field's values>`` are rewritten to compare digests, so
code that looks people up reads as before. Other lookups (contains, startswith, ordering
by the value) cannot work on sealed text and are refused rather than silently wrong.
"""

from __future__ import annotations

import math

from django.core import validators
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.query import Query
from django.utils.translation import gettext_lazy as _

from . import crypto

DIGEST_NAME = _("lookup digest")
STORED_LENGTH = 255  # a sealed 20-character value is about 125 characters


def digest_name(name: str) -> str:
    return f"{name}_digest"


def stored_length(plain_max_length: int) -> int:
    """The column a sealed value of at most ``plain_max_length`` characters needs: Fernet's
    57 bytes of version, time, IV and HMAC around the padded ciphertext (UTF-8: up to 3 bytes
    a character), in base64, behind our prefix. Phones and ID numbers fit the floor of 255."""
    cipher = (plain_max_length * 3 // 16 + 1) * 16
    return max(STORED_LENGTH, len(crypto.PREFIX) + 4 * math.ceil((57 + cipher) / 3))


class SealedCharField(models.CharField):
    description = "text encrypted at rest"

    def __init__(self, *args, plain_max_length: int = 20, **kwargs):
        kwargs["max_length"] = stored_length(plain_max_length)
        self.plain_max_length = plain_max_length
        super().__init__(*args, **kwargs)
        # What a person may type is the plain length, not the stored one.
        self.validators[:] = [
            v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)
        ] + [validators.MaxLengthValidator(plain_max_length)]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        kwargs["plain_max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return crypto.open_(value)

    def get_prep_value(self, value):
        return crypto.seal(super().get_prep_value(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": self.plain_max_length, **kwargs})

    def digest_field(self):
        return self.model._meta.get_field(digest_name(self.name))


class DigestField(models.CharField):
    """The keyed digest of another field of the same row, computed whenever the row is saved
    (``save``, ``create``, ``bulk_create``). ``QuerySet.update`` bypasses it: change a
    sealed field through ``save`` or ``bulk_update`` with both fields named."""

    description = "keyed digest of a sealed field"

    def __init__(self, *args, source: str = "", **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("verbose_name", DIGEST_NAME)
        self.source = source
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (
            ("max_length", 64),
            ("blank", True),
            ("default", ""),
            ("editable", False),
        ):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.digest(crypto.open_(getattr(model_instance, self.source)))
        setattr(model_instance, self.attname, value)
        return value


def _digest_col(lhs):
    if not isinstance(lhs, Col) or not isinstance(lhs.target, SealedCharField):
        raise FieldError("a sealed field can only be compared as a column of its own table")
    return Col(lhs.alias, lhs.target.digest_field())


@SealedCharField.register_lookup
class SealedExact(Lookup):
    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("a sealed field is compared with a value, not an expression")
        lhs_sql, lhs_params = compiler.compile(_digest_col(self.lhs))
        found = crypto.digests(self.rhs)
        marks = ", ".join(["%s"] * len(found))
        return f"{lhs_sql} IN ({marks})", [*lhs_params, *found]


@SealedCharField.register_lookup
class SealedIExact(SealedExact):
    # The admin's "=field" search. Phones have no case and ID numbers are stored with their
    # check letter in capitals, so the exact digest is the answer.
    lookup_name = "iexact"


@SealedCharField.register_lookup
class SealedIn(Lookup):
    lookup_name = "in"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs_sql, lhs_params = compiler.compile(_digest_col(self.lhs))
        rhs = self.rhs
        if isinstance(rhs, models.QuerySet):
            rhs = rhs.query
        if isinstance(rhs, Query):
            query = rhs.clone()
            if len(query.select) != 1:
                raise FieldError("compare a sealed field with a query of one sealed field")
            query.select = (_digest_col(query.select[0]),)
            query.values_select = ()
            sql, params = compiler.compile(query)
            if not sql.startswith("("):
                sql = f"({sql})"
            return f"{lhs_sql} IN {sql}", [*lhs_params, *params]
        found = sorted({d for value in rhs for d in crypto.digests(value)})
        if not found:
            return "1 = 0", []
        marks = ", ".join(["%s"] * len(found))
        return f"{lhs_sql} IN ({marks})", [*lhs_params, *found]


def _refused(name):
    class Refused(Lookup):
        lookup_name = name

        def as_sql(self, compiler, connection):
            raise FieldError(f"a sealed field cannot be searched with __{name}")

    Refused.__name__ = f"Sealed{name.title()}Refused"
    return Refused


for _name in (
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "regex",
    "iregex",
    "gt",
    "gte",
    "lt",
    "lte",
    "range",
):
    SealedCharField.register_lookup(_refused(_name))


def seal_rows(app_label: str, model_name: str, names: list[str]):
    """A migration step that seals the plain values already stored in ``names`` and fills
    their digests (run after the fields became sealed; running it again changes nothing)."""

    def run(apps, schema_editor):
        from .sealing import reseal  # sealing reads the fields: imported when it runs

        reseal(apps.get_model(app_label, model_name), names)

    return run


def with_digests(objs, fields) -> list[str]:
    """For ``bulk_update(objs, fields)`` naming sealed fields (which skips ``pre_save``): fills
    their digests on ``objs`` and returns the field names with the digests added."""
    objs = list(objs)
    if not objs:
        return list(fields)
    meta = objs[0]._meta
    out = list(fields)
    for name in fields:
        if isinstance(meta.get_field(name), SealedCharField):
            for obj in objs:
                setattr(obj, digest_name(name), crypto.digest(getattr(obj, name)))
            out.append(digest_name(name))
    return out


def sealed_names(model_or_fields) -> list[str]:
    fields = getattr(getattr(model_or_fields, "_meta", None), "concrete_fields", model_or_fields)
    return [f.name for f in fields if isinstance(f, SealedCharField)]


def seal_row(row: dict, names) -> dict:
    """A row for a raw INSERT or COPY (which skips the fields): the named personal values
    sealed and their digests filled, as a save would store them."""
    row = dict(row)
    for name in names:
        plain = row.get(name) or ""
        row[digest_name(name)] = crypto.digest(plain)
        row[name] = crypto.seal(plain)
    return row
