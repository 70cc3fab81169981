#!/usr/bin/env python3
"""The incentive plans of INCENTIVES.md written a second time, apart from the engine.

Reads an organisation bundle (reps.csv, opportunities.csv, quotas.csv, opportunity_splits.csv if
present) and a plans file, and prints every rep's statement of every month of the plans' year as
JSON: each component's earnings, the contest awards, the draw and the payable, in cents.

    statements.py BUNDLE_DIR PLANS_JSON [--as-of YYYY-MM-DD]

Standard library only; every ratio is a decimal.Decimal, every amount is rounded once to the cent,
half away from zero, where INCENTIVES.md says.
"""

import csv
import datetime as dt
import json
import os
import sys
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, getcontext

getcontext().prec = 60
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def cents(value):
    """Rounds once, to the cent, half away from zero."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def decimal_of(value):
    return Decimal(str(value))


def date_of(text):
    return dt.date.fromisoformat(text[:10])


def month_end(year, month):
    """The day after the month's last day."""
    return dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)


def read_csv(bundle, name):
    path = os.path.join(bundle, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def quota_window(period):
    """[start, end) of a quota period YYYY, YYYY-Qn, YYYY-MM or YYYY-Www."""
    if len(period) == 4:
        year = int(period)
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    year, rest = int(period[:4]), period[5:]
    if rest.startswith("Q"):
        quarter = int(rest[1:])
        return dt.date(year, 3 * quarter - 2, 1), month_end(year, 3 * quarter)
    if rest.startswith("W"):
        monday = dt.date.fromisocalendar(year, int(rest[1:]), 1)
        return monday, monday + dt.timedelta(days=7)
    month = int(rest)
    return dt.date(year, month, 1), month_end(year, month)


def overlap_days(a, b):
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return max((end - start).days, 0)


class Organisation:
    def __init__(self, bundle):
        self.reps = {row["rep_id"]: row for row in read_csv(bundle, "reps.csv")}
        self.children = {}
        for rep_id, row in self.reps.items():
            if row.get("manager_id"):
                self.children.setdefault(row["manager_id"], []).append(rep_id)
        self.opportunities = read_csv(bundle, "opportunities.csv")
        self.splits = {}
        for row in read_csv(bundle, "opportunity_splits.csv"):
            self.splits.setdefault(row["opportunity_id"], []).append((row["rep_id"], decimal_of(row["share_pct"])))
        self.quotas = []
        for row in read_csv(bundle, "quotas.csv"):
            self.quotas.append(
                (row["rep_id"], row["metric"], row.get("product_line_id") or "", quota_window(row["period"]),
                 decimal_of(row["target"]))
            )
        # Won deals by credited rep: (close day, opportunity, share of 1).
        self.credits = {}
        for opportunity in self.opportunities:
            if opportunity["status"] != "won" or not opportunity.get("closed_at"):
                continue
            shares = self.splits.get(opportunity["opportunity_id"]) or [(opportunity["owner_id"], HUNDRED)]
            for rep_id, share_pct in shares:
                self.credits.setdefault(rep_id, []).append(
                    (date_of(opportunity["closed_at"]), opportunity, share_pct / HUNDRED)
                )

    def subtree(self, rep_id):
        """The rep and everyone below them."""
        found, waiting = [], [rep_id]
        while waiting:
            current = waiting.pop()
            found.append(current)
            waiting.extend(self.children.get(current, []))
        return found

    def credited(self, rep_ids, component, days):
        """Credited amount (cents, or deals) of `rep_ids` over the day window `days` = [start, end)."""
        line = component.get("product_line_id") or ""
        metric = component["metric"]
        total = ZERO
        for rep_id in rep_ids:
            for closed_on, opportunity, share in self.credits.get(rep_id, []):
                if not days[0] <= closed_on < days[1]:
                    continue
                if line and opportunity.get("product_line_id") != line:
                    continue
                if metric == "deals":
                    total += share
                else:
                    column = "amount" if metric == "revenue" else "margin"
                    total += decimal_of(opportunity[column] or "0") * HUNDRED * share
        return total

    def quota(self, rep_ids, component, days):
        """The quotas of `rep_ids` for the component's metric and line, prorated to `days` by days;
        money rounded to the cent after prorating."""
        line = component.get("product_line_id") or ""
        metric = component["metric"]
        total = ZERO
        for rep_id, quota_metric, quota_line, window, target in self.quotas:
            if rep_id not in rep_ids or quota_metric != metric or quota_line != line:
                continue
            shared = overlap_days(window, days)
            if shared:
                total += target * shared / (window[1] - window[0]).days
        return Decimal(cents(total * HUNDRED)) if metric != "deals" else total

    def team_quota(self, manager, component, days):
        own = self.quota([manager], component, days)
        if own > 0:
            return own
        return self.quota([r for r in self.subtree(manager) if r != manager], component, days)


def component_earnings(component, credited, quota):
    """Earnings of one component period in exact cents (not yet rounded), or None without a quota."""
    if quota <= 0:
        return None
    attainment = credited / quota
    per_unit = HUNDRED if component["metric"] == "deals" else Decimal(1)
    if component["kind"] == "commission":
        tiers = [(decimal_of(t["from"]), decimal_of(t["rate"])) for t in component["tiers"]]
        if component.get("tier_mode", "retroactive") == "retroactive":
            rate = [r for start, r in tiers if start <= attainment][-1]
            earned = credited * rate * per_unit
        else:
            earned = ZERO
            for index, (start, rate) in enumerate(tiers):
                upper = tiers[index + 1][0] if index + 1 < len(tiers) else None
                top = attainment if upper is None else min(attainment, upper)
                earned += rate * max(top - start, ZERO) * quota * per_unit
    else:
        earned = decimal_of(component["target_cents"]) * curve(component["curve"], attainment)
    if component.get("gate") is not None and attainment < decimal_of(component["gate"]):
        earned = ZERO
    if component.get("cap_cents") is not None:
        earned = min(earned, decimal_of(component["cap_cents"]))
    return earned


def curve(points, attainment):
    points = [(decimal_of(p["attainment"]), decimal_of(p["payout"])) for p in points]
    if attainment < points[0][0]:
        return ZERO
    for (a0, p0), (a1, p1) in zip(points, points[1:]):
        if a0 <= attainment <= a1:
            return p0 + (p1 - p0) * (attainment - a0) / (a1 - a0)
    return points[-1][1]


def period_of(component, year, month):
    """The component period ending with `month`, as [start, end), or None if none ends there."""
    kind = component["period"]
    if kind == "month":
        return dt.date(year, month, 1), month_end(year, month)
    if kind == "quarter" and month % 3 == 0:
        return dt.date(year, month - 2, 1), month_end(year, month)
    if kind == "year" and month == 12:
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    return None


def in_force(assignment, year):
    start = date_of(assignment.get("from") or f"{year}-01-01")
    end = date_of(assignment["to"]) + dt.timedelta(days=1) if assignment.get("to") else dt.date(year + 1, 1, 1)
    return start, end


def earnings_over(org, rep_id, component, window, assignment_days):
    """Rounded earnings of `component` for `rep_id` over `window`, credited and quota limited to the
    days the assignment is in force; None when there is no quota."""
    days = (max(window[0], assignment_days[0]), min(window[1], assignment_days[1]))
    if days[0] >= days[1]:
        return 0
    if component["credit"] == "team":
        members = org.subtree(rep_id)
        credited = org.credited(members, component, days)
        quota = org.team_quota(rep_id, component, days)
    else:
        credited = org.credited([rep_id], component, days)
        quota = org.quota([rep_id], component, days)
    earned = component_earnings(component, credited, quota)
    return None if earned is None else cents(earned)


def contest_measure(org, contest, rep_id):
    measure = contest["measure"]
    kpi = measure["kpi"] if isinstance(measure, dict) else measure
    line = measure.get("product_line_id") if isinstance(measure, dict) else None
    start, end = date_of(contest["start"]), date_of(contest["end"]) + dt.timedelta(days=1)
    column = {"deals_won": "closed_at", "revenue": "closed_at", "first_appointments": "first_appointment_at",
              "proposals": "proposal_at"}.get(kpi)
    if column is None:
        raise SystemExit(f"contest {contest['name']!r}: the check does not know the measure {kpi!r}")
    total = ZERO
    for opportunity in org.opportunities:
        if opportunity["owner_id"] != rep_id or not opportunity.get(column):
            continue
        if line and opportunity.get("product_line_id") != line:
            continue
        if kpi in ("deals_won", "revenue") and opportunity["status"] != "won":
            continue
        if start <= date_of(opportunity[column]) < end:
            # Revenue counts in currency units.
            total += decimal_of(opportunity["amount"]) if kpi == "revenue" else 1
    return total


def participants(org, contest):
    who = contest.get("participants", "organisation")
    reps = [r for r, row in org.reps.items() if row.get("role", "rep") == "rep"]
    if who == "organisation":
        return reps
    return [r for r in org.subtree(who.removeprefix("team:")) if r in reps]


def contest_awards(org, contest):
    """Money awarded per rep by a contest (text prizes cost nothing)."""
    units = {rep_id: contest_measure(org, contest, rep_id) for rep_id in participants(org, contest)}
    award = contest["award"]
    money = {}
    if "per_unit_cents" in award:
        threshold = decimal_of(award.get("threshold", 0))
        for rep_id, count in units.items():
            paid = cents(decimal_of(award["per_unit_cents"]) * max(count - threshold, ZERO))
            if paid:
                money[rep_id] = paid
        return money
    prizes = award["prizes"]
    ranked = sorted((count for count in units.values() if count > 0), reverse=True)
    place = 0
    for value in sorted(set(ranked), reverse=True):
        tied = sorted((r for r, count in units.items() if count == value), key=rep_order)
        places = range(place, min(place + len(tied), len(prizes)))
        # A prize is cents (a number) or recognition in words (a string, costing nothing).
        pool = sum(prizes[p] for p in places if isinstance(prizes[p], int))
        if pool:
            share = int((Decimal(pool) / len(tied)).quantize(Decimal(1), rounding=ROUND_DOWN))
            remainder = pool - share * len(tied)
            for index, rep_id in enumerate(tied):
                money[rep_id] = money.get(rep_id, 0) + share + (remainder if index == 0 else 0)
        place += len(tied)
        if place >= len(prizes):
            break
    return money


def rep_order(rep_id):
    """Rep ids in their natural order: R2 before R10."""
    digits = "".join(c for c in rep_id if c.isdigit())
    return (rep_id.rstrip("0123456789"), int(digits) if digits else 0, rep_id)


def statements(org, plans_file, as_of):
    year = int(plans_file["fiscal_year"])
    last_month = 12 if as_of is None else min(12, as_of.month if as_of.year == year else 12)
    out = {}

    def statement(rep_id, month):
        key = (rep_id, f"{year:04}-{month:02}")
        return out.setdefault(key, {"components": {}, "awards_cents": 0, "draw": None})

    for plan in plans_file.get("plans", []):
        for assignment in plan.get("assignments", []):
            rep_id = assignment["rep_id"]
            days = in_force(assignment, year)
            for component in plan["components"]:
                paid_so_far = 0
                for month in range(1, 13):
                    window = period_of(component, year, month)
                    if window is None:
                        continue
                    if component.get("cumulative"):
                        ytd = earnings_over(org, rep_id, component, (dt.date(year, 1, 1), window[1]), days)
                        amount = None if ytd is None else ytd - paid_so_far
                    else:
                        amount = earnings_over(org, rep_id, component, window, days)
                    if window[1] <= days[0] or window[0] >= days[1]:
                        continue
                    paid_so_far += amount or 0
                    statement(rep_id, month)["components"][component["key"]] = amount or 0
            if assignment.get("draw"):
                for month in range(1, 13):
                    if overlap_days((dt.date(year, month, 1), month_end(year, month)), days):
                        statement(rep_id, month)["draw"] = assignment["draw"]
    for contest in plans_file.get("contests", []):
        end = date_of(contest["end"])
        if end.year != year:
            continue
        for rep_id, amount in contest_awards(org, contest).items():
            statement(rep_id, end.month)["awards_cents"] += amount

    # Draws run in month order: a recoverable advance is recovered from later earnings that year.
    balance = {}
    rows = []
    for (rep_id, period), entry in sorted(out.items(), key=lambda item: (rep_order(item[0][0]), item[0][1])):
        if int(period[5:]) > last_month:
            continue
        earned = sum(entry["components"].values()) + entry["awards_cents"]
        payable = earned
        draw = entry["draw"]
        if draw:
            monthly = int(draw["amount_cents"])
            if draw["kind"] == "guaranteed":
                payable = max(earned, monthly)
            else:
                owed = balance.get(rep_id, 0)
                payable = max(monthly, earned - owed)
                balance[rep_id] = owed + payable - earned
        rows.append({
            "rep_id": rep_id,
            "period": period,
            "components": entry["components"],
            "awards_cents": entry["awards_cents"],
            "draw_cents": payable - earned,
            "payable_cents": payable,
        })
    return rows


def main(arguments):
    if len(arguments) not in (2, 4) or (len(arguments) == 4 and arguments[2] != "--as-of"):
        raise SystemExit(__doc__)
    bundle, plans_path = arguments[0], arguments[1]
    as_of = date_of(arguments[3]) if len(arguments) == 4 else None
    with open(plans_path, encoding="utf-8") as handle:
        plans_file = json.load(handle)
    rows = statements(Organisation(bundle), plans_file, as_of)
    json.dump({"fiscal_year": plans_file["fiscal_year"], "statements": rows}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
