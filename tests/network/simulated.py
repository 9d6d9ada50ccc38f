"""A simulated network for the allocation's tests and benchmark: members with the mixes of choices
sections report (/work/shared/network/FACTS.md) and Urgent Actions arriving day by day."""

import datetime
import random

from uadesk.network.allocation import Case, Member

# The officials' preferred languages of a case in each country, and how often cases come from there.
COUNTRIES = {
    "CN": (("zh", "en"), 8),
    "HK": (("zh", "en"), 2),
    "IR": (("fa", "en"), 8),
    "EG": (("ar", "en"), 5),
    "SA": (("ar", "en"), 4),
    "SY": (("ar", "en"), 2),
    "DZ": (("ar", "fr"), 2),
    "MX": (("es",), 4),
    "CO": (("es",), 3),
    "VE": (("es",), 3),
    "NI": (("es",), 2),
    "RU": (("ru", "en"), 5),
    "BY": (("ru", "en"), 3),
    "TR": (("tr", "en"), 4),
    "US": (("en",), 3),
    "MM": (("en",), 3),
    "PH": (("en",), 2),
    "CM": (("fr", "en"), 2),
    "BI": (("fr",), 2),
    "VN": (("vi", "en"), 3),
}
THEMES = (
    "death-penalty",
    "torture",
    "freedom-of-expression",
    "human-rights-defenders",
    "refugees",
    "womens-rights",
    "indigenous-peoples",
    "enforced-disappearance",
)
# First language read, as weights; about a third also read a second one.
LANGUAGES = {"en": 45, "fr": 15, "es": 15, "de": 15, "ar": 5, "zh": 5}
# 20 % every UA, the rest at most 1, 2 or 4 cases in any 30 days.
LIMITS = {None: 20, 1: 32, 2: 28, 4: 20}


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def members(count: int, start: datetime.date, *, seed: int = 19) -> list[Member]:
    """`count` members as they stand on `start`: each with a limit has had up to their limit of cases in
    the 30 days before (a network in its steady state), 2 % are paused."""
    rng = random.Random(seed)
    countries = list(COUNTRIES)
    network = []
    for member_id in range(1, count + 1):
        first = pick(rng, LANGUAGES)
        languages = (first,)
        if rng.random() < 0.3:
            others = [code for code in LANGUAGES if code != first]
            languages += (rng.choice(others) if first == "en" else "en",)
        chosen = frozenset(rng.sample(countries, rng.randint(1, 3))) if rng.random() < 0.12 else frozenset()
        themes = frozenset(rng.sample(THEMES, rng.randint(1, 2))) if rng.random() < 0.10 else frozenset()
        limit = pick(rng, LIMITS)
        received, last = (), None
        if limit is not None:
            had = rng.randint(0, limit)
            received = tuple(sorted(start - datetime.timedelta(days=rng.randint(1, 29)) for _ in range(had)))
            if not received and rng.random() < 0.5:
                last = start - datetime.timedelta(days=rng.randint(30, 120))
        network.append(
            Member(
                id=member_id,
                limit=limit,
                received=received,
                languages=languages,
                countries=chosen,
                themes=themes,
                paused=rng.random() < 0.02,
                last=last,
            )
        )
    return network


def new_case(rng: random.Random, case_id: int, day: datetime.date, wanted: tuple[int, int]) -> Case:
    """A case published on `day`: a country as often as cases come from it, one or two themes, a deadline
    three to eight weeks on (two weeks for one in twelve); one in ten wants 9,000 writers more than the
    most the others want."""
    country = pick(rng, {code: weight for code, (_, weight) in COUNTRIES.items()})
    many = wanted[1] + 9_000 if rng.random() < 0.1 else rng.randint(*wanted)
    days = rng.randint(10, 14) if rng.random() < 1 / 12 else rng.randint(21, 56)
    return Case(
        id=case_id,
        wanted=many,
        deadline=day + datetime.timedelta(days=days),
        languages=COUNTRIES[country][0],
        countries=frozenset({country}),
        themes=frozenset(rng.sample(THEMES, rng.randint(1, 2))),
        title=f"UA {case_id} ({country})",
    )


def cases_by_day(start: datetime.date, days: int, *, per_month=40, wanted=(13_500, 16_000), seed=7) -> dict:
    """The cases published on each weekday of `days` days from `start`: `per_month` a month on average."""
    rng = random.Random(seed)
    every_day = (start + datetime.timedelta(days=n) for n in range(days))
    weekdays = [day for day in every_day if day.weekday() < 5]
    per_weekday = per_month * 12 / 52 / 5
    arriving, case_id = {}, 0
    for day in weekdays:
        count = sum(1 for _ in range(4) if rng.random() < per_weekday / 4)
        for _ in range(count):
            case_id += 1
            arriving.setdefault(day, []).append(new_case(rng, case_id, day, wanted))
    return arriving
