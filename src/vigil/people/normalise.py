"""Normalising names, postcodes, addresses and phone numbers on the way in.

Plain rules with no Django import, so that history checks become index look-ups and can be tested
on their own.
"""

import re
import unicodedata

import jellyfish
import phonenumbers

# UK postcode: outward code (area, district) and inward code (sector, unit). GIR 0AA is the one
# historical exception.
_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


class InvalidPostcode(ValueError):
    pass


class InvalidPhone(ValueError):
    pass


def normalise_postcode(raw: str) -> str:
    """Return the canonical form of a UK postcode ("LE1 6ZZ"), or raise InvalidPostcode.

    Accepts any case and spacing, and the common keying slip of O for 0 in the inward code's
    first character.
    """
    compact = re.sub(r"[^A-Za-z0-9]", "", raw or "").upper()
    if compact == "GIR0AA":
        return "GIR 0AA"
    if len(compact) >= 5 and compact[-3] == "O":
        compact = compact[:-3] + "0" + compact[-2:]
    match = _POSTCODE_RE.match(compact)
    if not match:
        raise InvalidPostcode("not a UK postcode")  # never echo the value: it may locate a victim
    return f"{match.group(1)} {match.group(2)}"


def postcode_district(postcode: str) -> str:
    """The outward code of a canonical postcode: "LE1 6ZZ" -> "LE1"."""
    return postcode.split(" ")[0]


def normalise_phone(raw: str, *, region: str = "GB") -> str:
    """Return a phone number in E.164 ("+447700900123"), or raise InvalidPhone."""
    try:
        number = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("not a phone number") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def name_key(name: str) -> str:
    """The comparison form of a name: accents removed, lower case, letters only.

    "O'Brien-Smith" -> "obriensmith", "Zoë" -> "zoe".
    """
    decomposed = unicodedata.normalize("NFKD", name or "")
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]", "", ascii_only.lower())


PHONETIC_KEY_LENGTH = 20  # PersonRecord's phonetic fields; a longer name's key is cut to this


def phonetic_key(name: str) -> str:
    """A phonetic key (Metaphone) so that Smith and Smyth, Catherine and Katherine meet; at most
    PHONETIC_KEY_LENGTH characters (a name of 40 letters or more can have a longer one)."""
    key = name_key(name)
    return jellyfish.metaphone(key)[:PHONETIC_KEY_LENGTH] if key else ""


def address_key(*, line1: str, postcode: str) -> str:
    """An exact look-up key for an address: canonical postcode plus the house number or name.

    "12a  High St", "LE1 6zz" -> "LE16ZZ|12a"; "Flat 2, 14 Hill Road" -> "LE16ZZ|flat2|14";
    a named house keeps its name in comparison form: "Rose Cottage" -> "LE16ZZ|rosecottage".
    """
    pc = normalise_postcode(postcode).replace(" ", "")
    text = (line1 or "").strip().lower()
    flat = re.match(r"^\s*(?:flat|apartment|apt)\s*(\w+)[,\s]+", text)
    parts = [pc]
    if flat:
        parts.append("flat" + flat.group(1))
        text = text[flat.end():]
    number = re.match(r"^\s*(\d+[a-z]?)\b", text)
    if number:
        parts.append(number.group(1))
    else:
        parts.append(re.sub(r"[^a-z0-9]", "", text.split(",")[0]))
    return "|".join(parts)
