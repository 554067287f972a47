"""Grading schemes for communal areas (see the domain notes): A–D by default, others chosen per estate.

Each scheme lists its grades best first. ``score`` puts every scheme on one 0–1 scale (1 is best) so that a
dashboard can draw grades over time even when an estate changes scheme.
"""

from __future__ import annotations

from msgspec import Struct


class Scheme(Struct, frozen=True):
    name: str
    label: str
    grades: tuple[str, ...]
    labels: dict[str, str]

    def score(self, grade: str) -> float:
        """1.0 for the best grade, 0.0 for the worst."""
        position = self.grades.index(grade)
        return 1.0 - position / (len(self.grades) - 1)


SCHEMES: dict[str, Scheme] = {
    "a_to_d": Scheme("a_to_d", "A–D estate standard", ("A", "B", "C", "D"),
                     {"A": "A – excellent", "B": "B – good", "C": "C – poor or average", "D": "D – very poor"}),
    "housemark": Scheme("housemark", "Housemark four levels", ("good", "satisfactory", "poor", "very_poor"),
                        {"good": "Good", "satisfactory": "Satisfactory", "poor": "Poor", "very_poor": "Very poor"}),
    "traffic_light": Scheme("traffic_light", "Traffic light", ("green", "amber", "red"),
                            {"green": "Green", "amber": "Amber", "red": "Red"}),
    "met_not_met": Scheme("met_not_met", "Met / not met", ("met", "not_met"),
                          {"met": "Met", "not_met": "Not met"}),
}
DEFAULT_SCHEME = "a_to_d"

#: The default elements graded on a walk (editable per landlord later), from the domain notes.
ELEMENTS = (
    "internal_cleaning", "external_cleaning", "bin_store", "fly_tipping", "graffiti", "grounds",
    "hard_landscape", "lighting", "communal_repairs", "lifts", "fire_safety", "pests", "play_area", "signage",
    "car_park", "abandoned_vehicle",
)

RECHECK_OUTCOMES = ("still_there", "looks_fixed")
