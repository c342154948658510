"""Units of measure as UN/ECE Recommendation 20 codes (EN 16931 BT-130), and the free-text unit
of a product or line mapped to one.

The codes here are the ones a small business invoices in (the common codes of the Peppol and
Factur-X code lists); a free-text unit is matched case-insensitively against each code, its
English and French names and their usual abbreviations. An empty unit is ``C62`` ("one").
"""

from __future__ import annotations

from .errors import Invalid

# code -> (English name, aliases: English and French words and abbreviations)
CODES: dict[str, tuple[str, tuple[str, ...]]] = {
    "C62": ("one", ("unit", "units", "piece", "pieces", "pc", "pcs", "ea", "each", "u", "unité", "unités", "pièce", "pièces", "pce", "pces")),
    "H87": ("piece", ()),
    "EA": ("each", ()),
    "XPP": ("piece (package)", ()),
    "SET": ("set", ("sets", "lot", "lots", "jeu")),
    "PR": ("pair", ("pairs", "paire", "paires")),
    "DZN": ("dozen", ("dozens", "douzaine", "douzaines")),
    "HUR": ("hour", ("hours", "h", "hr", "hrs", "heure", "heures")),
    "MIN": ("minute", ("minutes", "min", "mn")),
    "SEC": ("second", ("seconds", "s", "seconde", "secondes")),
    "DAY": ("day", ("days", "d", "jour", "jours", "j")),
    "WEE": ("week", ("weeks", "wk", "semaine", "semaines")),
    "MON": ("month", ("months", "mo", "mois")),
    "ANN": ("year", ("years", "yr", "an", "ans", "année", "années")),
    "KGM": ("kilogram", ("kilograms", "kg", "kilo", "kilos", "kilogramme", "kilogrammes")),
    "GRM": ("gram", ("grams", "g", "gramme", "grammes")),
    "TNE": ("tonne", ("tonnes", "t", "ton", "tons")),
    "MTR": ("metre", ("metres", "meter", "meters", "m", "mètre", "mètres")),
    "CMT": ("centimetre", ("centimetres", "cm", "centimètre", "centimètres")),
    "MMT": ("millimetre", ("millimetres", "mm", "millimètre", "millimètres")),
    "KMT": ("kilometre", ("kilometres", "km", "kilomètre", "kilomètres")),
    "MTK": ("square metre", ("square metres", "m2", "m²", "sqm", "mètre carré", "mètres carrés")),
    "MTQ": ("cubic metre", ("cubic metres", "m3", "m³", "mètre cube", "mètres cubes")),
    "LTR": ("litre", ("litres", "liter", "liters", "l", "lt")),
    "MLT": ("millilitre", ("millilitres", "ml")),
    "KWH": ("kilowatt hour", ("kilowatt hours", "kwh")),
    "PK": ("pack", ("packs", "package", "packages", "paquet", "paquets")),
    "BX": ("box", ("boxes", "boîte", "boîtes", "carton", "cartons")),
    "PA": ("packet", ("packets",)),
    "RO": ("roll", ("rolls", "rouleau", "rouleaux")),
    "SO": ("spool", ()),
    "E48": ("service unit", ("service", "services", "prestation", "prestations", "forfait")),
    "LS": ("lump sum", ("lump sum", "flat rate", "flat fee")),
    "ZZ": ("mutually defined", ()),
}

_LOOKUP: dict[str, str] = {}
for _code, (_name, _aliases) in CODES.items():
    for _word in (_code, _name, *_aliases):
        _LOOKUP.setdefault(_word.casefold(), _code)

DEFAULT = "C62"


def unit_code(unit: str | None) -> str:
    """The Rec 20 code of a free-text unit (``"h"`` -> ``HUR``, ``"kg"`` -> ``KGM``, ``""`` ->
    ``C62``), or ``Invalid`` listing the codes."""
    text = (unit or "").strip()
    if not text:
        return DEFAULT
    code = _LOOKUP.get(text.casefold()) or _LOOKUP.get(text.casefold().rstrip("."))
    if code is None:
        known = ", ".join(f"{c} ({n})" for c, (n, _) in CODES.items())
        raise Invalid(f"unit: unknown unit {text!r}; use a UN/ECE Rec 20 code or its name: {known}")
    return code


def unit_code_or_none(unit: str | None) -> str | None:
    """``unit_code`` of a unit stored before codes existed, or None when it maps to no code."""
    try:
        return unit_code(unit)
    except Invalid:
        return None


def unit_name(code: str) -> str:
    """The English name of a code (``HUR`` -> ``hour``), the code itself when unknown."""
    return CODES.get(code, (code, ()))[0]
