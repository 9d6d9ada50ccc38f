"""Figure: the allocation of 40 open cases among 100,000 network members (the pure part), against merely
sorting the same members by how long they waited.

The members are the simulated network of the tests (tests/network/simulated.py: a fifth take every UA,
the others at most 1, 2 or 4 cases in 30 days, each with the cases of their last 30 days; languages,
countries and themes mixed), the 40 cases published over the last three weeks, none mailed yet: every
case needs its writers at once, the heaviest day. The allocation includes the forecast of short-falls.
Rounds alternate with the baseline; medians. Time is this process's CPU time, so what other processes of a
shared machine take from it is not counted. The issue wants a mailing's recipients and allocation for
100,000 members in under 10 seconds; this is the allocation's share.
--quick (tests/test_bench.py): 5,000 members and 8 cases, one round: that it runs, not how fast.
Run: .venv/bin/python -P bench/allocation.py [--quick]
"""

import sys
from pathlib import Path

# bench/email.py would stand in for the stdlib's email module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import datetime  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from tests.network import simulated  # noqa: E402
from uadesk.network.allocation import NEVER, allocate  # noqa: E402

QUICK = "--quick" in sys.argv
MEMBERS = 5_000 if QUICK else 100_000
CASES = 8 if QUICK else 40
ROUNDS = 1 if QUICK else 5
TODAY = datetime.date(2027, 3, 1)


def cases() -> list:
    rng = random.Random(11)
    days = [TODAY - datetime.timedelta(days=rng.randint(0, 20)) for _ in range(CASES)]
    # Writers wanted: about as many as take every UA (a sixth of the network), and a few thousand more.
    wanted = (MEMBERS * 17 // 100, MEMBERS * 20 // 100)
    return [simulated.new_case(rng, n, day, wanted) for n, day in enumerate(sorted(days), 1)]


def waited(member) -> tuple:
    return (max(member.received, default=member.last or NEVER), member.id)


def main() -> None:
    members = simulated.members(MEMBERS, TODAY)
    open_cases = cases()
    allocate(members[:1000], open_cases, TODAY)  # imports and caches warm, outside the timing
    seconds, baseline, plan = [], [], None
    for _ in range(ROUNDS):
        start = time.process_time()
        sorted(members, key=waited)
        baseline.append(time.process_time() - start)
        start = time.process_time()
        plan = allocate(members, open_cases, TODAY)
        seconds.append(time.process_time() - start)
    allocation, sort = statistics.median(seconds), statistics.median(baseline)
    print(f"members: {len(members)}")
    print(f"cases: {len(open_cases)}")
    print(f"members_planned: {sum(c.planned for c in plan.coverage)}")
    print(f"every_ua_recipients: {sum(c.every_ua for c in plan.coverage)}")
    print(f"cases_short_today: {sum(1 for c in plan.coverage if c.short)}")
    print(f"cases_expected_short: {len(plan.falling_short())}")
    print(f"allocation_seconds: {allocation:.3f}")
    print(f"baseline_sort_members_seconds: {sort:.3f}")
    print(f"allocation_vs_sort: {allocation / sort:.1f}")


if __name__ == "__main__":
    main()
