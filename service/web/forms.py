"""What every HTML form shares, public and console alike: checking every field at once, and error codes.

msgspec stops at the first field that fails; a person filling in a form wants to hear about all of them at
once. `field_errors(values, Struct)` converts each field on its own against its type in the Struct and
returns every failure as `{form field: code}`; `convert(values, Struct)` raises FormErrors with all of them,
or returns the Struct. The server's conversion and the domain's rules stay the ones that count: a page calls
the same domain function afterwards, and shows what it refuses on the form as well.

Codes are the form's: `required` (nothing written), `too_long`, `invalid` (written, but not accepted). A
template looks its text up by field and code first (`email.required`), then by code alone (see
templates/_forms.html), so one field can say precisely what it wants.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)

EMPTY: tuple[Any, ...] = ("", None, [], {})
UNKNOWN: Any = object()  # no value given to code_of_validation
# The texts every form has (English msgids); a form adds its own, by code or by "field.code".
ERROR_TEXTS = {
    "invalid": "Check what you wrote here.",
    "required": "Fill this in.",
    "too_long": "This is too long.",
}


class FormErrors(Exception):
    """Errors by field name of the form; the page shows the form again with them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def code_of_validation(error: msgspec.ValidationError, value: Any = UNKNOWN) -> str:
    """The form's code for a msgspec refusal: required, too_long or invalid. Given the value that failed, a
    blank one is `required` and a short one `invalid`; without it, any "too short" is `required`."""
    message = str(error)
    if value is not UNKNOWN and _blank(value):
        return "required"
    if "length <=" in message:
        return "too_long"
    if "required field" in message or ("length >=" in message and value is UNKNOWN):
        return "required"
    return "invalid"


def _blank(value: Any) -> bool:
    return value in EMPTY or (isinstance(value, str) and not value.strip())


def _sub_path(error: msgspec.ValidationError) -> str:
    """`… - at `$.nb`` -> "nb" (the part of a nested field that failed), "" when the field itself failed."""
    message = str(error)
    if "at `$." in message:
        return message.split("at `$.", 1)[1].split("`", 1)[0].split("[")[0].replace(".", "_")
    if "required field `" in message:
        return message.split("required field `", 1)[1].split("`", 1)[0]
    return ""


def field_errors(values: dict[str, Any], struct: type[msgspec.Struct]) -> dict[str, str]:
    """Every field of `values` checked against its type in `struct`: {form field: code}, empty when all pass.

    A nested field's failure is named as the form names it (`title` failing at `nb` is `title_nb`)."""
    errors: dict[str, str] = {}
    for field in msgspec.structs.fields(struct):
        if field.name not in values:
            if field.required:
                errors[field.name] = "required"
            continue
        value = values[field.name]
        try:
            msgspec.convert(value, field.type)
        except msgspec.ValidationError as error:
            sub = _sub_path(error)
            name = f"{field.name}_{sub}" if sub else field.name
            inner = (value.get(sub) if isinstance(value, dict) else UNKNOWN) if sub else value
            errors[name] = code_of_validation(error, inner)
    return errors


def convert(values: dict[str, Any], struct: type[S]) -> S:
    """`values` as `struct`; raises FormErrors naming every field that fails (not only the first)."""
    errors = field_errors(values, struct)
    if errors:
        raise FormErrors(errors)
    return msgspec.convert(values, struct)
