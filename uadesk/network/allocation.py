"""Which members who chose "at most N cases in any 30 days" receive which open case, and why.

Pure Python, no Django: uadesk/network/allocate.py builds its inputs from the database.

How. Members who chose every UA get each open case their interests allow, and count towards its wanted
writers. The others are shared out. For each case the members its interests allow fall into three tiers:
those who read one of the officials' preferred languages or chose the case's country, then those who
chose one of its themes, then the rest (members who chose no country and no theme take any case). Tier by
tier, the cases in order of deadline take members who still have room in their 30 days, those who waited
longest since their last case first, until each case has its wanted number: a member who matches one
case is not spent as a filler on another, the case due soonest is served first among equals, and the
load goes round the members. Then the plan runs on, day by day up to the last deadline, with no new
cases, as members get room back (30 days after each case they had): what a case still lacks at its
deadline is its expected short-fall, the rest comes from top-ups on later days.
"""

import datetime
import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, filterfalse, repeat
from typing import NamedTuple

WINDOW_DAYS = 30
NEVER = datetime.date.min
EVERY_UA = "every UA"
FILLS = "fills"
# The three tiers of a case's members, best first.
MATCH, THEME, FILL = 0, 1, 2


class Member(NamedTuple):
    """A member as the allocation sees them: their choices and the days they received cases."""

    id: int
    limit: int | None  # at most this many cases in any 30 days; None: every UA
    received: Sequence[datetime.date] = ()  # the days they received a case, the last 30 at least
    languages: tuple[str, ...] = ()  # in the order they prefer them
    countries: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    paused: bool = False
    last: datetime.date | None = None  # the day of their last case, if older than those in `received`


class Case(NamedTuple):
    """An open Urgent Action as the allocation sees it."""

    id: int
    wanted: int  # writers wanted from the network before the deadline
    deadline: datetime.date
    languages: tuple[str, ...] = ()  # the officials' preferred languages
    countries: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    received: int = 0  # members who already received it
    had_by: Collection = frozenset()  # the ids of those of them who are still members
    title: str = ""


@dataclass
class Coverage:
    """How far one case gets: those who have it, those it goes to today, and what it will lack."""

    case: Case
    every_ua: int = 0  # members who chose every UA and get it today
    planned: int = 0  # members with a limit who get it today
    reasons: Counter = field(default_factory=Counter)  # why those were chosen: "reads zh": 40, ...
    allowed: int = 0  # members whose choices allow the case (whether or not they have room)
    with_room: int = 0  # of those with a limit, how many had room left this morning
    # What it will still lack at its deadline if later mailings top it up as members get room back (and
    # no new case comes to compete for them).
    expected_shortfall: int = 0

    @property
    def reached(self) -> int:
        return self.case.received + self.every_ua + self.planned

    @property
    def short(self) -> int:
        """What it lacks after today's plan."""
        return max(0, self.case.wanted - self.reached)


def _untranslated(text: str) -> str:
    return text


@dataclass
class Plan:
    """Who gets which case today (member ids with a reason code), and each open case's coverage."""

    today: datetime.date
    recipients: dict = field(default_factory=dict)  # case id -> [(member id, reason), ...]
    coverage: list[Coverage] = field(default_factory=list)  # in order of deadline

    def for_case(self, case_id) -> list[tuple[int, str]]:
        return self.recipients.get(case_id, [])

    def coverage_of(self, case_id) -> Coverage | None:
        return next((c for c in self.coverage if c.case.id == case_id), None)

    def falling_short(self) -> list[Coverage]:
        return [c for c in self.coverage if c.expected_shortfall]

    def explain(self, gettext: Callable[[str], str] = _untranslated) -> list[str]:
        """One line a case for staff: how many have it and get it today and why, and what it will lack
        and why. Django's gettext makes it the staff member's language; the pure tests read English."""
        _ = gettext
        lines = []
        for cov in self.coverage:
            case = cov.case
            values = {
                "case": case.title or f"#{case.id}",
                "deadline": case.deadline.isoformat(),
                "wanted": case.wanted,
                "received": case.received,
                "every_ua": cov.every_ua,
                "planned": cov.planned,
                "reasons": ", ".join(f"{reason} {n}" for reason, n in cov.reasons.most_common()) or "-",
                "short": cov.short,
                "expected": cov.expected_shortfall,
                "allowed": cov.allowed,
                "with_room": cov.with_room,
            }
            line = (
                _(
                    "%(case)s (deadline %(deadline)s): %(wanted)s writers wanted; %(received)s have it, "
                    "%(every_ua)s who take every UA get it today, %(planned)s more are chosen today "
                    "(%(reasons)s)."
                )
                % values
            )
            if not cov.short:
                line += " " + _("It has its writers.")
            elif not cov.expected_shortfall:
                line += (
                    " "
                    + _(
                        "Short by %(short)s today; members who get room back before the deadline make it up "
                        "in later mailings."
                    )
                    % values
                )
            elif cov.allowed < case.wanted:
                line += (
                    " "
                    + _(
                        "It will fall short by %(expected)s: only %(allowed)s members' choices allow this "
                        "case (languages, countries, themes), fewer than wanted."
                    )
                    % values
                )
            else:
                line += (
                    " "
                    + _(
                        "It will fall short by %(expected)s: of the %(allowed)s members whose choices allow "
                        "it, only %(with_room)s had room left in their 30 days today, and cases due sooner "
                        "or matching them better came first."
                    )
                    % values
                )
            lines.append(line)
        return lines


class _Pool:
    """The members with a limit, bucketed by profile (their languages, countries and themes), each
    bucket a queue of those with room, who waited longest first; and those who take every UA."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.ids: list = []
        self.room: list[int] = []
        self.last: list[datetime.date] = []  # the day of their last case (date.min: never)
        self.profile_of: list[int] = []
        self.profile_ids: dict[tuple, int] = {}
        self.profiles: list[tuple] = []
        # A queue a profile: (last day, member index), sorted. A member's entry stays where it is when they
        # are taken; `current` tells the one that counts (None: no room left).
        self.queues: list[list[tuple[datetime.date, int]]] = []
        self.current: list[tuple[datetime.date, int] | None] = []
        self.capped: list[int] = []  # members with a limit, per profile
        self.every_ua: list[list] = []  # ids of those who take every UA, per profile
        # Profiles by what they chose: no interest at all, each country, each theme, each language read.
        self.no_interest: set[int] = set()
        self.by_country: dict[str, set[int]] = defaultdict(set)
        self.by_theme: dict[str, set[int]] = defaultdict(set)
        self.by_language: dict[str, set[int]] = defaultdict(set)
        # The day of a case -> the members who had it, who get its room back 30 days later.
        self.frees: dict[datetime.date, list[int]] = defaultdict(list)
        self.taken: dict = defaultdict(set)  # case id -> indexes of the members planned for it

    def add(self, members: Iterable[Member]) -> None:
        # One pass over up to 100,000 members: names bound locally, the tuple unpacked in one go.
        window_start = self.today - datetime.timedelta(days=WINDOW_DAYS - 1)
        profile_ids, every_ua, capped, queues, frees = (
            self.profile_ids,
            self.every_ua,
            self.capped,
            self.queues,
            self.frees,
        )
        ids, room, last, profile_of, current = self.ids, self.room, self.last, self.profile_of, self.current
        index = -1
        for member_id, limit, received, languages, countries, themes, paused, before in members:
            if paused:
                continue
            key = (languages, countries, themes)
            profile = profile_ids.get(key)
            if profile is None:
                profile = self._new_profile(key)
            if limit is None:
                every_ua[profile].append(member_id)
                continue
            index += 1
            newest = before or NEVER
            for day in received:
                if day >= window_start:
                    frees[day].append(index)
                    limit -= 1
                if day > newest:
                    newest = day
            ids.append(member_id)
            profile_of.append(profile)
            capped[profile] += 1
            last.append(newest)
            if limit > 0:
                room.append(limit)
                current.append((newest, index))
                queues[profile].append(current[index])
            else:
                room.append(0)
                current.append(None)
        for queue in queues:
            queue.sort()

    def _new_profile(self, key: tuple) -> int:
        languages, countries, themes = key
        profile = self.profile_ids[key] = len(self.profiles)
        self.profiles.append(key)
        self.queues.append([])
        self.capped.append(0)
        self.every_ua.append([])
        if not countries and not themes:
            self.no_interest.add(profile)
        for country in countries:
            self.by_country[country].add(profile)
        for theme in themes:
            self.by_theme[theme].add(profile)
        for code in languages:
            self.by_language[code].add(profile)
        return profile

    def tiers(self, case: Case) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
        """The profiles whose interests allow the case, by tier, each with its reason code."""
        # Where the speed comes from: set operations on profiles (thousands), never a loop over members.
        chose = {c: self.by_country.get(c, set()) for c in sorted(case.countries)}
        themed = {t: self.by_theme.get(t, set()) for t in sorted(case.themes)}
        allowed = self.no_interest.union(*chose.values(), *themed.values())
        match: dict[int, str] = {}
        for code in case.languages:
            readers = self.by_language.get(code, set()) & allowed
            match |= dict.fromkeys(readers - match.keys(), f"reads {code}")
        for country, profiles in chose.items():
            match |= dict.fromkeys(profiles - match.keys(), f"chose {country}")
        theme: dict[int, str] = {}
        for name, profiles in themed.items():
            theme |= dict.fromkeys(profiles - match.keys() - theme.keys(), f"theme {name}")
        return match, theme, dict.fromkeys(self.no_interest - match.keys() - theme.keys(), FILLS)

    def take(
        self, case: Case, tier: dict[int, str], need: int, day: datetime.date, queues
    ) -> list[tuple[int, str]]:
        """Up to `need` members of these profiles' queues who do not have the case, those who waited
        longest first; each loses a case's room from `day`, when their wait starts again."""
        room, last, ids, frees, current = self.room, self.last, self.ids, self.frees, self.current
        taken_before, had_by = self.taken[case.id], case.had_by
        taken = []

        def usable(entry: tuple) -> bool:
            index = entry[1]
            return current[index] is entry and index not in taken_before and ids[index] not in had_by

        def give(index: int, profile: int) -> None:
            taken.append((index, tier[profile]))
            taken_before.add(index)
            room[index] -= 1
            last[index] = day
            frees[day].append(index)
            # Their wait starts again: at the end of the queue, which stays sorted (nobody waited less).
            current[index] = (day, index) if room[index] else None
            if current[index]:
                queues[profile].append(current[index])

        for profile in tier:
            queue = queues[profile]
            # Those taken before with no room left, or queued again, at the head: gone for good.
            gone = 0
            while gone < len(queue) and current[queue[gone][1]] is not queue[gone]:
                gone += 1
            del queue[:gone]
        if need >= sum(len(queues[profile]) for profile in tier):
            # Everyone who can take the case will: no order to keep.
            for profile in tier:
                for entry in [entry for entry in queues[profile] if usable(entry)]:
                    give(entry[1], profile)
            return taken

        # Walking a sorted queue past those who had the case costs a test each, where popping them off a
        # heap and pushing them back cost two heap operations: most of the time it took.
        def next_free(queue: list, start: int) -> int:
            return next((at for at in range(start, len(queue)) if usable(queue[at])), -1)

        # The profiles' queues merged: the first member each can give, the one who waited longest on top.
        front = []
        for profile in tier:
            queue = queues[profile]
            if queue and (position := next_free(queue, 0)) >= 0:
                front.append((queue[position], profile, position))
        heapq.heapify(front)
        while front and len(taken) < need:
            (_, index), profile, position = front[0]
            give(index, profile)
            queue = queues[profile]
            if (position := next_free(queue, position + 1)) >= 0:
                heapq.heapreplace(front, (queue[position], profile, position))
            else:
                heapq.heappop(front)
        return taken

    def give_back(self, freed: list[int]) -> dict[int, list[tuple[datetime.date, int]]]:
        """Cases leave these members' 30 days: a case's room more for each. Those who had none before,
        in queues by profile (the others had room and were of no use to the cases short)."""
        queues = defaultdict(list)
        for index in freed:
            self.room[index] += 1
            if self.room[index] == 1:
                self.current[index] = (self.last[index], index)
                queues[self.profile_of[index]].append(self.current[index])
        for queue in queues.values():
            queue.sort()
        return queues


def allocate(
    members: Iterable[Member], cases: Iterable[Case], today: datetime.date, *, forecast: bool = True
) -> Plan:
    """Today's plan for every open case (those past their deadline are left out). `members` is read
    once, so it may be a stream. Without the forecast, expected short-falls are left at 0."""
    pool = _Pool(today)
    pool.add(members)
    open_cases = sorted((c for c in cases if c.deadline >= today), key=lambda c: (c.deadline, c.id))
    plan = Plan(today)
    sizes = [capped + len(every_ua) for capped, every_ua in zip(pool.capped, pool.every_ua, strict=True)]
    tiers = {}
    for case in open_cases:
        coverage = Coverage(case)
        tiers[case.id] = pool.tiers(case)
        profiles = [p for tier in tiers[case.id] for p in tier]
        coverage.allowed = sum(map(sizes.__getitem__, profiles))
        coverage.with_room = sum(map(len, map(pool.queues.__getitem__, profiles)))
        every_ua = chain.from_iterable(map(pool.every_ua.__getitem__, profiles))
        every_ua = filterfalse(case.had_by.__contains__, every_ua)
        plan.recipients[case.id] = list(zip(every_ua, repeat(EVERY_UA)))
        coverage.every_ua = len(plan.recipients[case.id])
        plan.coverage.append(coverage)

    for tier in (MATCH, THEME, FILL):
        for coverage in plan.coverage:
            if coverage.short:
                case_id = coverage.case.id
                taken = pool.take(
                    coverage.case, tiers[case_id][tier], coverage.short, pool.today, pool.queues
                )
                plan.recipients[case_id] += [(pool.ids[index], reason) for index, reason in taken]
                coverage.reasons.update(reason for _, reason in taken)
                coverage.planned += len(taken)

    if forecast:
        _forecast(pool, [c for c in plan.coverage if c.short], tiers)
    return plan


def _forecast(pool: _Pool, short: list[Coverage], tiers: dict) -> None:
    """Runs the plan on for the cases short today, day by day up to their last deadline, as members get
    room back: what each still lacks at its deadline is its expected short-fall."""
    lacking = {coverage.case.id: coverage.short for coverage in short}
    day, one_day, window = pool.today, datetime.timedelta(days=1), datetime.timedelta(days=WINDOW_DAYS)
    while still := [c for c in short if lacking[c.case.id] and c.case.deadline > day]:
        day += one_day
        # Only those who get room back can give: whoever had room before is of no use to the cases still
        # short (they would have been taken), so each day looks at a few members, not at all of them.
        queues = pool.give_back(pool.frees.pop(day - window, []))
        for tier in (MATCH, THEME, FILL):
            for coverage in still:
                case_id = coverage.case.id
                profiles = tiers[case_id][tier]
                offered = {p: profiles[p] for p in queues.keys() & profiles.keys()}
                if offered and lacking[case_id]:
                    lacking[case_id] -= len(pool.take(coverage.case, offered, lacking[case_id], day, queues))
    for coverage in short:
        coverage.expected_shortfall = lacking[coverage.case.id]
