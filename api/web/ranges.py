"""The builder's ranges: a preset per input (none, plus or minus 10, 20 or 30 %, or the
catalog's range of our product) and the request's ``uncertainty`` they make.

The form shows six inputs (:data:`RANGE_FIELDS`). What a saved request holds beyond them
(ranges on other inputs or of other widths, its draws and seed) rides along in the hidden
field ``u_extra`` and is saved again unchanged; the form always sends its ``ranges``, so
setting a preset back to none removes the range from the next version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tco.presenters.i18n import N_

#: Form field -> (the request's input, the offer's role or None for the whole quote, whether
#: the catalog's range of our product is its default).
RANGE_FIELDS: dict[str, tuple[str, str | None, bool]] = {
    "u_energy_price": ("energy_price", None, False),
    "u_ours_energy_use": ("energy_use", "ours", True),
    "u_ours_mtbf": ("mtbf", "ours", True),
    "u_comp_mtbf": ("mtbf", "competitor", False),
    "u_downtime_cost": ("downtime_cost", None, False),
    "u_discount_rate": ("discount_rate", None, False),
}
EXTRA = "u_extra"
CATALOG = "catalog"
SPREADS = ("0.1", "0.2", "0.3")
#: The choices of a preset: (value, label msgid).
PLAIN_CHOICES = (("", "none"), *((s, f"± {int(float(s) * 100)} %") for s in SPREADS))
CATALOG_CHOICES = (
    (CATALOG, "the catalog's range"),
    ("0", "none"),
    *PLAIN_CHOICES[1:],
)


def choices(name: str) -> tuple[tuple[str, str], ...]:
    return CATALOG_CHOICES if RANGE_FIELDS[name][2] else PLAIN_CHOICES


def blank() -> dict[str, str]:
    """A new form's presets: the catalog's ranges of our product, nothing else."""
    out = {name: CATALOG if catalog else "" for name, (_, _, catalog) in RANGE_FIELDS.items()}
    out[EXTRA] = "{}"
    return out


def _offer_id(role: str | None, ids: Mapping[str, str]) -> str | None:
    return None if role is None else ids[role]


def uncertainty_from_form(
    values: Mapping[str, str], ids: Mapping[str, str]
) -> tuple[dict[str, Any] | None, str | None]:
    """The request's ``uncertainty`` from the presets and ``u_extra`` (always with its
    ``ranges``, so that a revision replaces the saved ones); ``ids`` maps the roles ``ours``
    and ``competitor`` to the offer ids. None and a message when a hidden field is damaged."""
    try:
        extra = json.loads(values.get(EXTRA, "").strip() or "{}")
    except json.JSONDecodeError:
        extra = None
    if not isinstance(extra, dict) or not isinstance(extra.get("ranges", []), list):
        return None, "the form's hidden field u_extra is damaged; reload the page"
    ranges: list[Any] = list(extra.get("ranges", []))
    for name, (inp, role, _) in RANGE_FIELDS.items():
        chosen = values.get(name, "").strip()
        if chosen in ("", CATALOG) or (chosen == "0" and not RANGE_FIELDS[name][2]):
            continue
        spread = float(chosen) if chosen in (*SPREADS, "0") else None
        if spread is None:
            return None, f"the form's field {name} has no such choice; reload the page"
        offer = _offer_id(role, ids)
        ranges.append({"input": inp, **({"offer": offer} if offer else {}), "spread": spread})
    return {**extra, "ranges": ranges}, None


def form_from_uncertainty(saved: Any, ids: Mapping[str, str]) -> dict[str, str]:
    """The presets showing a saved request's ``uncertainty``; what they cannot show goes to
    ``u_extra``."""
    out = blank()
    if not isinstance(saved, Mapping):
        return out
    extra = {k: v for k, v in saved.items() if k != "ranges"}
    kept: list[Any] = []
    by_key: dict[tuple[Any, Any], str] = {
        (inp, _offer_id(role, ids)): name for name, (inp, role, _) in RANGE_FIELDS.items()
    }
    for r in saved.get("ranges", []):
        name = by_key.get((r.get("input"), r.get("offer"))) if isinstance(r, Mapping) else None
        plain = name is not None and set(r) <= {"input", "offer", "spread"}
        spread = r.get("spread") if plain else None
        text = None if spread is None else f"{float(spread):g}"
        if name is not None and (text in SPREADS or (text == "0" and RANGE_FIELDS[name][2])):
            out[name] = text
        else:
            kept.append(r)
    if kept:
        extra["ranges"] = kept
    out[EXTRA] = json.dumps(extra, separators=(",", ":"))
    return out


#: The msgids of this page part written outside templates (for `make messages`).
MSGIDS = (
    N_("none"),
    N_("± 10 %"),
    N_("± 20 %"),
    N_("± 30 %"),
    N_("the catalog's range"),
    N_("Electricity price"),
    N_("Our energy use"),
    N_("Our time between failures"),
    N_("Their time between failures"),
    N_("Cost of downtime"),
    N_("Discount rate"),
    N_("Ranges from {draws} simulated futures (seed {seed}): 8 in 10 lie between P10 and P90."),
)
