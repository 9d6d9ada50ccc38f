"""The allocation of cases to members who chose at most N cases in any 30 days: its rules on small networks
made by hand, then a simulated network of 80,000 members and 40 UAs a month over three months."""

import datetime
import time
from bisect import bisect_left
from collections import Counter

import pytest

from uadesk.network.allocation import EVERY_UA, Case, Member, allocate

from . import simulated

TODAY = datetime.date(2027, 3, 1)


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def in_days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def member(member_id: int, limit: int | None = 1, languages=("en",), **choices) -> Member:
    return Member(id=member_id, limit=limit, languages=languages, **choices)


def case(case_id: int, wanted: int, *, deadline: datetime.date | None = None, **fields) -> Case:
    return Case(id=case_id, wanted=wanted, deadline=deadline or in_days(20), **fields)


def chosen(plan, case_id) -> dict[int, str]:
    return dict(plan.for_case(case_id))


# The rules, on networks made by hand.


def test_members_who_read_the_officials_language_or_chose_the_country_come_first_then_the_theme():
    network = [
        member(1, last=days_ago(200)),  # waited longest, but matches nothing
        member(2, languages=("fr", "zh"), last=days_ago(5)),
        member(3, countries=frozenset({"CN"}), last=days_ago(3)),
        member(4, themes=frozenset({"torture"}), last=days_ago(2)),
        member(5, languages=("de",), last=days_ago(100)),
    ]
    china = dict(languages=("zh",), countries=frozenset({"CN"}), themes=frozenset({"torture"}))

    assert chosen(allocate(network, [case(1, 2, **china)], TODAY), 1) == {2: "reads zh", 3: "chose CN"}
    assert chosen(allocate(network, [case(1, 3, **china)], TODAY), 1) == {
        2: "reads zh",
        3: "chose CN",
        4: "theme torture",
    }
    # Then those who chose nothing fill, who waited longest first.
    plan = allocate(network, [case(1, 4, **china)], TODAY)
    assert chosen(plan, 1)[1] == "fills"
    assert 5 not in chosen(plan, 1)
    reasons = {"reads zh": 1, "chose CN": 1, "theme torture": 1, "fills": 1}
    assert plan.coverage_of(1).reasons == Counter(reasons)


def test_a_member_who_matches_a_case_is_not_spent_as_a_filler_on_one_due_sooner():
    network = [
        member(1, languages=("en",), last=days_ago(10)),
        member(2, languages=("zh",), last=days_ago(90)),  # waited longest
        member(3, languages=("fr",), last=days_ago(20)),
    ]
    sooner = case(1, 2, deadline=in_days(5), languages=("en",))
    later = case(2, 1, deadline=in_days(40), languages=("zh",))

    plan = allocate(network, [later, sooner], TODAY)

    assert chosen(plan, 1) == {1: "reads en", 3: "fills"}
    assert chosen(plan, 2) == {2: "reads zh"}


def test_the_case_due_soonest_is_served_first_and_the_plan_lists_cases_by_deadline():
    network = [member(n) for n in range(1, 4)]
    plan = allocate(network, [case(1, 3, deadline=in_days(30)), case(2, 2, deadline=in_days(10))], TODAY)

    assert len(chosen(plan, 2)) == 2
    assert len(chosen(plan, 1)) == 1
    assert [c.case.id for c in plan.coverage] == [2, 1]


def test_among_equals_those_who_waited_longest_come_first_and_never_served_before_all():
    network = [
        member(1, last=days_ago(40)),
        member(2, received=(days_ago(29),), limit=2),
        member(3),  # never had a case
        member(4, last=days_ago(300)),
        member(5, received=(days_ago(31),)),
    ]

    def first(wanted: int) -> set[int]:
        return set(chosen(allocate(network, [case(1, wanted, languages=("en",))], TODAY), 1))

    assert first(2) == {3, 4}
    assert first(3) == {1, 3, 4}
    assert first(4) == {1, 3, 4, 5}


def test_no_member_gets_more_than_their_limit_in_any_30_days():
    network = [
        member(1, limit=2, received=(days_ago(29), days_ago(3))),  # both in the 30 days: no room
        member(2, limit=2, received=(days_ago(30), days_ago(3))),  # the first left the 30 days: one
        member(3, limit=4),
    ]
    cases = [case(n, 10, deadline=in_days(10 + n)) for n in range(1, 7)]

    plan = allocate(network, cases, TODAY)

    got = Counter(member_id for c in cases for member_id in chosen(plan, c.id))
    assert got == {2: 1, 3: 4}
    # Each case at most once.
    assert all(len(plan.for_case(c.id)) == len(chosen(plan, c.id)) for c in cases)


def test_a_member_who_chose_interests_gets_only_cases_that_match_them():
    network = [
        member(1, limit=4, countries=frozenset({"MX"})),
        member(2, limit=4, themes=frozenset({"death-penalty"})),
        member(3, limit=4),  # no interest: any case
    ]
    china = case(1, 10, countries=frozenset({"CN"}), themes=frozenset({"torture"}), languages=("zh",))
    iran = case(2, 10, countries=frozenset({"IR"}), themes=frozenset({"death-penalty"}), languages=("fa",))
    mexico = case(3, 10, countries=frozenset({"MX"}), languages=("es",))

    plan = allocate(network, [china, iran, mexico], TODAY)

    assert chosen(plan, 1) == {3: "fills"}
    assert chosen(plan, 2) == {2: "theme death-penalty", 3: "fills"}
    assert chosen(plan, 3) == {1: "chose MX", 3: "fills"}
    assert plan.coverage_of(1).allowed == 1


def test_members_who_chose_every_ua_get_each_case_their_interests_allow_and_count_towards_it():
    network = [
        member(1, limit=None),
        member(2, limit=None, countries=frozenset({"MX"})),
        member(3, limit=None),
        member(4, limit=1, languages=("zh",)),
    ]
    china = case(1, 2, countries=frozenset({"CN"}), languages=("zh",), received=1, had_by=frozenset({3}))
    mexico = case(2, 1, countries=frozenset({"MX"}), languages=("es",))

    plan = allocate(network, [china, mexico], TODAY)

    # Member 3 had the Chinese case: not twice. Member 2 chose Mexico only.
    assert chosen(plan, 1) == {1: EVERY_UA}
    assert chosen(plan, 2) == {1: EVERY_UA, 2: EVERY_UA, 3: EVERY_UA}  # more than wanted: they take every UA
    # The case had one, member 1 makes two: member 4, who reads Chinese, is kept for another case.
    coverage = plan.coverage_of(1)
    assert (coverage.every_ua, coverage.planned, coverage.short) == (1, 0, 0)


def test_a_member_never_gets_a_case_twice():
    network = [member(1, limit=4), member(2, limit=4)]
    plan = allocate(network, [case(1, 5, received=1, had_by=frozenset({1}))], TODAY)

    assert chosen(plan, 1) == {2: "fills"}
    assert len(plan.for_case(1)) == 1


def test_paused_members_and_cases_past_their_deadline_are_left_out():
    network = [member(1, paused=True), member(2, limit=None, paused=True), member(3)]
    plan = allocate(network, [case(1, 5), case(2, 5, deadline=days_ago(1))], TODAY)

    assert chosen(plan, 1) == {3: "fills"}
    assert plan.for_case(2) == []
    assert [c.case.id for c in plan.coverage] == [1]


def test_the_plan_says_which_case_falls_short_by_how_many_and_why():
    network = [
        member(1, countries=frozenset({"BY"})),
        member(2, countries=frozenset({"BY"})),
        member(3, countries=frozenset({"MX"}), received=(days_ago(25),)),  # room back in 5 days
        member(4, countries=frozenset({"TR"}), received=(days_ago(2),)),  # room back after the deadline
        member(5, countries=frozenset({"TR"}), received=(days_ago(10),)),
    ]
    cases = [
        case(1, 5, countries=frozenset({"BY"}), title="Belarus"),
        case(2, 1, countries=frozenset({"MX"}), title="Mexico"),
        case(3, 2, countries=frozenset({"TR"}), title="Turkey", deadline=in_days(15)),
    ]

    plan = allocate(network, cases, TODAY)
    belarus, mexico, turkey = (plan.coverage_of(n) for n in (1, 2, 3))

    # Only two members chose Belarus: both get it, three more cannot be found.
    assert (belarus.planned, belarus.short, belarus.expected_shortfall, belarus.allowed) == (2, 3, 3, 2)
    # Mexico has nobody today, but member 3 gets room back before its deadline: a later mailing.
    assert (mexico.planned, mexico.short, mexico.expected_shortfall) == (0, 1, 0)
    # Turkey: member 5 gets room back on day 20, after its deadline; member 4 on day 28.
    assert (turkey.planned, turkey.short, turkey.expected_shortfall, turkey.with_room) == (0, 2, 2, 0)
    assert [c.case.id for c in plan.falling_short()] == [3, 1]

    lines = dict(zip(["Turkey", "Belarus", "Mexico"], plan.explain(), strict=True))
    assert lines["Belarus"].endswith(
        "It will fall short by 3: only 2 members' choices allow this case (languages, countries, themes), "
        "fewer than wanted."
    )
    assert "Short by 1 today; members who get room back before the deadline" in lines["Mexico"]
    assert "fall short by 2: of the 2 members whose choices allow it, only 0 had room" in lines["Turkey"]


def test_the_explanation_goes_through_the_translation_it_is_given():
    plan = allocate([member(1)], [case(1, 1, title="Belarus")], TODAY)

    assert plan.explain() == [
        "Belarus (deadline 2027-03-21): 1 writers wanted; 0 have it, 0 who take every UA get it today, "
        "1 more are chosen today (fills 1). It has its writers."
    ]
    assert plan.explain(lambda text: f"<{text}>") == [
        "<Belarus (deadline 2027-03-21): 1 writers wanted; 0 have it, 0 who take every UA get it today, "
        "1 more are chosen today (fills 1).> <It has its writers.>"
    ]


def test_members_may_be_streamed_once():
    plan = allocate((member(n) for n in range(1, 4)), [case(1, 2)], TODAY)

    assert len(plan.for_case(1)) == 2


# A simulated network: 80,000 members, 40 UAs a month arriving day by day, three months.

START = datetime.date(2027, 1, 4)  # a Monday
DAYS = 92
END = START + datetime.timedelta(days=DAYS)
MEMBERS = 80_000
# How long the allocation may leave a member without a case while a case they could take falls short.
LONGEST_WAIT = 45
TIERS = {"reads": 0, "chose": 0, "theme": 1, "fills": 2}


def allowed(profile: tuple, ua: Case) -> bool:
    _, countries, themes = profile
    return (not countries and not themes) or bool(countries & ua.countries or themes & ua.themes)


def tier(profile: tuple, ua: Case) -> int:
    languages, countries, themes = profile
    if set(languages) & set(ua.languages) or countries & ua.countries:
        return 0
    return 1 if themes & ua.themes else 2


class Simulation:
    """Runs the allocation on each mailing day (each day a case arrives) and sends what it plans: the
    new cases and top-ups of those still short. After each run it looks for members left with room whom
    a case wanted (while it fell short, or while it took someone who matched it less well)."""

    def __init__(self):
        network = simulated.members(MEMBERS, START)
        self.paused = {m.id for m in network if m.paused}
        self.paused_until = START + datetime.timedelta(days=28)
        # The received days grow as cases go out (the allocation reads only those of the last 30 days).
        self.members = [m._replace(received=list(m.received)) for m in network]
        self.history = {m.id: m.received for m in network}  # the cases of the 30 days before the start
        # Their last case before: the start of their wait (a month before the start for those who had none).
        month_before = START - datetime.timedelta(days=31)
        self.before = {m.id: max([*m.received, m.last or month_before]) for m in network}
        self.got: dict[int, list] = {m.id: [] for m in network}  # (day, case id) of those with a limit
        self.arriving = simulated.cases_by_day(START, DAYS)
        self.cases: dict[int, Case] = {}
        self.reached: Counter = Counter()
        self.runs = []  # (day, ids of the cases short after the run)
        self.unused = []  # (day, member, case): left with room although the case wanted them
        self.while_paused = []  # (day, member) planned while paused
        self.twice = []  # (day, case) planned for someone who had it
        self.seconds = []
        self.profile_cache = {}

    def run(self):
        for day in sorted(self.arriving):
            if day >= self.paused_until and self.paused:
                self.members = [m._replace(paused=False) if m.paused else m for m in self.members]
            for ua in self.arriving[day]:
                self.cases[ua.id] = ua._replace(had_by=set())
            open_cases = [
                ua._replace(received=self.reached[ua.id]) for ua in self.cases.values() if ua.deadline >= day
            ]
            started = time.process_time()
            # The forecast of short-falls is for staff to read, and a third of the time: once a week.
            plan = allocate(self.members, open_cases, day, forecast=day.weekday() == 0)
            self.seconds.append(time.process_time() - started)
            self.send(day, plan)
            self.runs.append((day, [c.case.id for c in plan.coverage if c.short]))
            self.check(day, plan)
        return self

    def send(self, day, plan):
        paused = self.paused if day < self.paused_until else set()
        month_ago = day - datetime.timedelta(days=30)
        for case_id, recipients in plan.recipients.items():
            ids = [member_id for member_id, _ in recipients]
            had_by = self.cases[case_id].had_by
            if not had_by.isdisjoint(ids) or len(set(ids)) < len(ids):
                self.twice.append((day, case_id))
            had_by.update(ids)
            self.while_paused += [(day, member_id) for member_id in paused.intersection(ids)]
            self.reached[case_id] += len(ids)
            for member_id, reason in recipients:
                if reason != EVERY_UA:
                    received = self.members[member_id - 1].received
                    # Only the last 30 days count: older days go, so the lists stay short.
                    if received and received[0] <= month_ago:
                        received[:] = [d for d in received if d > month_ago]
                    received.append(day)
                    self.got[member_id].append((day, case_id))

    def check(self, day, plan):
        window_start = day - datetime.timedelta(days=29)
        with_room: dict[tuple, list[int]] = {}
        for m in self.members:
            if m.limit is None or m.paused:
                continue
            if len(m.received) - bisect_left(m.received, window_start) < m.limit:
                with_room.setdefault((m.languages, m.countries, m.themes), []).append(m.id)
        for coverage in plan.coverage:
            worst = max((TIERS[reason.split()[0]] for reason in coverage.reasons), default=-1)
            if not coverage.short and worst <= 0:
                continue
            ua = self.cases[coverage.case.id]
            for profile, ids in with_room.items():
                if self.allows(profile, ua) and (coverage.short or self.tier(profile, ua) < worst):
                    self.unused += [(day, i, ua.id) for i in ids if i not in ua.had_by]

    def allows(self, profile, ua) -> bool:
        key = (profile, ua.id)
        if key not in self.profile_cache:
            self.profile_cache[key] = (allowed(profile, ua), tier(profile, ua))
        return self.profile_cache[key][0]

    def tier(self, profile, ua) -> int:
        return self.profile_cache[(profile, ua.id)][1]

    def long_waits(self):
        """Each time a member with a limit went more than 45 days without a case while a case their
        choices allow, and which they did not have, fell short: (member, day, case)."""
        found = []
        runs = [day for day, _ in self.runs]
        for m in self.members:
            if m.limit is None:
                continue
            got = self.got[m.id]
            days = [self.before[m.id]] + [day for day, _ in got] + [END]
            profile = (m.languages, m.countries, m.themes)
            for previous, following in zip(days, days[1:], strict=False):
                waited_from = previous + datetime.timedelta(days=LONGEST_WAIT + 1)
                for index in range(bisect_left(runs, waited_from), bisect_left(runs, following)):
                    day, short = self.runs[index]
                    if m.id in self.paused and day < self.paused_until:
                        continue
                    had = {case_id for got_on, case_id in got if got_on < day}
                    found += [
                        (m.id, day, case_id)
                        for case_id in short
                        if case_id not in had and allowed(profile, self.cases[case_id])
                    ]
        return found


@pytest.fixture(scope="module")
def simulation():
    return Simulation().run()


def test_the_simulated_network_is_realistic(simulation):
    limits = Counter(m.limit for m in simulation.members)
    assert 0.18 < limits[None] / MEMBERS < 0.22
    assert {1, 2, 4} <= set(limits)
    cases = len(simulation.cases)
    assert 3 * 36 <= cases <= 3 * 48  # about 40 a month
    assert len(simulation.runs) >= 55  # a run on each weekday a case arrives
    # Cases did fall short on some days: what the fairness tests below are about.
    assert sum(1 for _, short in simulation.runs if short) >= 10
    print(
        f"\n{MEMBERS} members, {cases} cases over {DAYS} days, {len(simulation.runs)} runs; the allocation "
        f"took {max(simulation.seconds):.2f} s of CPU at most, {sum(simulation.seconds):.1f} s in all"
    )


def test_every_member_stays_within_their_limit_in_every_30_days(simulation):
    over = []
    for m in simulation.members:
        if m.limit is not None:
            days = sorted([*simulation.history[m.id], *(day for day, _ in simulation.got[m.id])])
            # At most N in any 30 days: the case N places on comes 30 days or more later.
            later = days[m.limit :]
            over += [(m.id, day) for day, then in zip(days, later, strict=False) if (then - day).days < 30]
    assert over == []
    cases = Counter(len(simulation.got[m.id]) for m in simulation.members if m.limit is not None)
    print(f"\ncases each member with a limit received in {DAYS} days: {sorted(cases.items())}")
    assert cases[0] < 0.05 * cases.total()


def test_nobody_gets_a_case_twice_or_while_paused(simulation):
    assert simulation.twice == []
    assert simulation.paused
    assert simulation.while_paused == []


def test_coverage_per_ua_is_reported(simulation):
    print("\nUA   country  published   deadline    wanted  reached  short")
    closed_short = 0
    for day, cases in sorted(simulation.arriving.items()):
        for ua in cases:
            reached = simulation.reached[ua.id]
            lacking = max(0, ua.wanted - reached) if ua.deadline < END else "open"
            closed_short += lacking not in (0, "open")
            country = next(iter(ua.countries))
            print(f"{ua.id:<4} {country:<8} {day}  {ua.deadline}  {ua.wanted:>6}  {reached:>7}  {lacking:>5}")
    print(f"{closed_short} of the cases closed short of their writers")
    assert sum(simulation.reached.values()) > 0


def test_when_a_case_falls_short_no_member_with_room_who_could_take_it_was_left_out(simulation):
    # Nor when it took a member who matched it less well (a filler before one who reads its language).
    assert simulation.unused[:10] == []


def test_nobody_waits_more_than_45_days_while_a_case_they_could_take_falls_short(simulation):
    assert simulation.long_waits()[:10] == []
