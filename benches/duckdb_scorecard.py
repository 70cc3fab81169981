#!/usr/bin/env python3
"""The reference engine for the organisation scorecard (docs/BENCHMARKS.md): the KPIs `quotient
report` computes for every rep of the organisation, for one period and evaluation day, written as
plain SQL over the bundle's raw tables in DuckDB (in memory, all cores). Prints the median of RUNS
warm runs.

    benches/duckdb_scorecard.py BUNDLE [PERIOD_START PERIOD_END AS_OF RUNS]
    SHOW_REP=R1 benches/duckdb_scorecard.py …   # also prints that rep's figures

The tables are loaded before timing, each column with its type (timestamps as TIMESTAMPTZ, dates as
DATE, money as integer cents, as Quotient stores them), so the query casts nothing.

Computed per rep, from the raw rows (what the report reads from its rollups and base rows):
- the period's outcome: revenue, deals won, lost, win rate, average revenue per sale, mean and
  median cycle days, gateway → won;
- the funnel: first appointments, → next step, → proposal, closing ratio, top-level-contact share
  (the contact of the opportunity's earliest appointment, authority ≥ 4);
- the activity counts by type, conversations, appointments set, conversation → appointment;
- quotas (revenue, deals) prorated to the period by days, and attainment;
- the pipeline as of the evaluation day (count, amount, weighted by the default stage
  probabilities, due in the period) and CRM currency (stale: no activity in the 30 days up to the
  evaluation day; past due);
- the trailing 12 months' rates and the magic number (the rep's own rates);
- first appointments and revenue won per ISO week of the period up to the evaluation day (the
  barometer's inputs), revenue so far;
- the standards' facts: estimates per product line and month, demos per product line, company lead
  follow-up within 48 hours and never touched, contact completeness, satisfaction (responses, mean,
  NPS, accounts whose mean is under 8).

Left out (Quotient computes them, this does not): the team's trailing rates that stand in for a rep
with fewer than 5 closed deals, peers, the team and organisation totals, the barometer's weekly
goals, the standards' verdicts and texts, flags, diagnoses, activity goals, the per-line deal quota
of the estimates standard, and the pipeline of a past day (stage history): run it with the
evaluation day today, as benches/scorecards.sh does.
"""
import datetime
import os
import statistics
import sys
import time

import duckdb

bundle = sys.argv[1]
start, end, as_of = sys.argv[2:5] + ["2026-07-01", "2026-10-01", datetime.date.today().isoformat()][len(sys.argv[2:5]) :]
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 5

# Column types the sniffer would guess differently (money as DOUBLE, ids of digits as numbers).
TYPES = {
    "reps": {"rep_id": "VARCHAR", "manager_id": "VARCHAR"},
    "accounts": {"account_id": "VARCHAR", "owner_id": "VARCHAR"},
    "contacts": {"contact_id": "VARCHAR", "account_id": "VARCHAR", "authority_level": "INTEGER",
                 "first_name": "VARCHAR", "last_name": "VARCHAR", "address": "VARCHAR", "phone": "VARCHAR",
                 "email": "VARCHAR"},
    "opportunities": {"opportunity_id": "VARCHAR", "owner_id": "VARCHAR", "product_line_id": "VARCHAR",
                      "amount": "DECIMAL(18,2)", "created_at": "TIMESTAMPTZ", "first_appointment_at": "TIMESTAMPTZ",
                      "gateway_at": "TIMESTAMPTZ", "proposal_at": "TIMESTAMPTZ", "closed_at": "TIMESTAMPTZ",
                      "expected_close_on": "DATE"},
    "activities": {"activity_id": "VARCHAR", "rep_id": "VARCHAR", "opportunity_id": "VARCHAR",
                   "contact_id": "VARCHAR", "occurred_at": "TIMESTAMPTZ", "type": "VARCHAR", "outcome": "VARCHAR"},
    "estimates": {"rep_id": "VARCHAR", "product_line_id": "VARCHAR", "issued_on": "DATE"},
    "leads": {"owner_id": "VARCHAR", "source": "VARCHAR", "created_at": "TIMESTAMPTZ", "first_touch_at": "TIMESTAMPTZ"},
    "feedback": {"account_id": "VARCHAR", "received_on": "DATE", "score": "INTEGER"},
    "quotas": {"rep_id": "VARCHAR", "period": "VARCHAR", "metric": "VARCHAR", "product_line_id": "VARCHAR",
               "target": "DECIMAL(18,2)"},
}
# What the load does beyond reading: money to cents, a quota's period to its days.
DERIVED = {
    "opportunities": "* REPLACE (CAST(round(amount * 100) AS BIGINT) AS amount)",
    "quotas": """*, CASE WHEN period LIKE '%-Q%'
                          THEN make_date(CAST(period[1:4] AS INTEGER), 3 * CAST(period[7:] AS INTEGER) - 2, 1)
                          WHEN length(period) = 7 THEN CAST(period || '-01' AS DATE)
                          ELSE make_date(CAST(period AS INTEGER), 1, 1) END AS period_start,
                     CASE WHEN period LIKE '%-Q%' THEN 3 WHEN length(period) = 7 THEN 1 ELSE 12 END AS months""",
}

db = duckdb.connect()
db.execute("SET TimeZone = 'UTC'")
for table, types in TYPES.items():
    select = DERIVED.get(table, "*")
    db.execute(f"CREATE TABLE {table} AS SELECT {select} FROM read_csv('{bundle}/{table}.csv', header = true, types = {types})")
rows = db.execute("SELECT (SELECT COUNT(*) FROM opportunities) + (SELECT COUNT(*) FROM activities)").fetchone()[0]

day = datetime.date.fromisoformat
cut = day(as_of) + datetime.timedelta(days=1)  # the end of the evaluation day
year_before = cut.replace(year=cut.year - 1)
so_far_end = min(max(cut, day(start)), day(end))
first_week = day(start) - datetime.timedelta(days=day(start).weekday())
since = cut - datetime.timedelta(days=30)
weeks_left = max((day(end) - cut).days / 7, 1)
T = lambda d: f"TIMESTAMPTZ '{d} 00:00:00+00'"  # noqa: E731

SCORECARD = f"""
WITH
outcome AS (
  SELECT owner_id,
    SUM(amount) FILTER (won) AS revenue, COUNT(*) FILTER (won) AS deals, COUNT(*) FILTER (lost) AS lost,
    AVG(date_diff('day', CAST(created_at AS DATE), CAST(closed_at AS DATE))) FILTER (won) AS cycle,
    MEDIAN(date_diff('day', CAST(created_at AS DATE), CAST(closed_at AS DATE))) FILTER (won) AS median_cycle,
    COUNT(*) FILTER ((won OR lost) AND (gateway_at IS NOT NULL OR proposal_at IS NOT NULL)) AS closed_g,
    COUNT(*) FILTER (won AND (gateway_at IS NOT NULL OR proposal_at IS NOT NULL)) AS won_g,
    COUNT(*) FILTER ((won OR lost) AND proposal_at IS NOT NULL) AS closed_p,
    COUNT(*) FILTER (won AND proposal_at IS NOT NULL) AS won_p,
    COUNT(*) FILTER (fa) AS fa,
    COUNT(*) FILTER (fa AND (gateway_at IS NOT NULL OR proposal_at IS NOT NULL)) AS fa_gateway,
    COUNT(*) FILTER (fa AND proposal_at IS NOT NULL) AS fa_proposal,
    SUM(amount) FILTER (status = 'won' AND closed_at >= {T(start)} AND closed_at < {T(so_far_end)}) AS revenue_so_far,
    COUNT(*) FILTER (t_won) AS t_won, COUNT(*) FILTER (t_lost) AS t_lost, SUM(amount) FILTER (t_won) AS t_revenue,
    SUM(date_diff('day', CAST(created_at AS DATE), CAST(closed_at AS DATE))) FILTER (t_won) AS t_cycle_days,
    COUNT(*) FILTER (t_fa) AS t_fa, COUNT(*) FILTER (t_fa AND proposal_at IS NOT NULL) AS t_fa_p,
    COUNT(*) FILTER ((t_won OR t_lost) AND proposal_at IS NOT NULL) AS t_closed_p,
    COUNT(*) FILTER (t_won AND proposal_at IS NOT NULL) AS t_won_p
  FROM (SELECT *,
          status = 'won' AND closed_at >= {T(start)} AND closed_at < {T(end)} AS won,
          status = 'lost' AND closed_at >= {T(start)} AND closed_at < {T(end)} AS lost,
          first_appointment_at >= {T(start)} AND first_appointment_at < {T(end)} AS fa,
          status = 'won' AND closed_at >= {T(year_before)} AND closed_at < {T(cut)} AS t_won,
          status = 'lost' AND closed_at >= {T(year_before)} AND closed_at < {T(cut)} AS t_lost,
          first_appointment_at >= {T(year_before)} AND first_appointment_at < {T(cut)} AS t_fa
        FROM opportunities
        WHERE closed_at >= {T(min(day(start), year_before))} OR first_appointment_at >= {T(min(day(start), year_before))})
  GROUP BY owner_id),
top_level AS (
  SELECT o.owner_id, COUNT(*) FILTER (c.authority_level >= 4) AS fa_top_level
  FROM opportunities o
  JOIN (SELECT opportunity_id, arg_min(contact_id, (occurred_at, activity_id)) AS contact_id
        FROM activities WHERE type = 'appointment' AND opportunity_id IS NOT NULL GROUP BY opportunity_id) f
    USING (opportunity_id)
  JOIN contacts c ON c.contact_id = f.contact_id
  WHERE o.first_appointment_at >= {T(start)} AND o.first_appointment_at < {T(end)}
  GROUP BY o.owner_id),
pipeline AS (
  SELECT owner_id, COUNT(*) AS open_count, SUM(amount) AS pipeline,
    SUM(round(amount * CASE stage WHEN 'prospect' THEN 500 WHEN 'qualified' THEN 1000
                                  WHEN 'first_appointment' THEN 2000 WHEN 'gateway' THEN 4000
                                  WHEN 'proposal' THEN 6000 WHEN 'negotiation' THEN 8000 ELSE 0 END / 10000)) AS weighted,
    SUM(amount) FILTER (expected_close_on < DATE '{end}') AS due,
    COUNT(*) FILTER (a.opportunity_id IS NULL) AS stale,
    COUNT(*) FILTER (expected_close_on < DATE '{as_of}') AS past_due
  FROM opportunities o
  LEFT JOIN (SELECT DISTINCT opportunity_id FROM activities WHERE occurred_at >= {T(since)}) a USING (opportunity_id)
  WHERE status = 'open'
  GROUP BY owner_id),
weeks AS (
  SELECT owner_id, list(struct_pack(week, first_appointments, won) ORDER BY week) AS weeks
  FROM (SELECT owner_id, date_trunc('week', CAST(happened AS DATE)) AS week,
               COUNT(*) FILTER (kind = 'fa') AS first_appointments, SUM(amount) FILTER (kind = 'won') AS won
        FROM (SELECT owner_id, first_appointment_at AS happened, 'fa' AS kind, 0 AS amount FROM opportunities
              WHERE first_appointment_at >= {T(first_week)} AND first_appointment_at < {T(so_far_end)}
              UNION ALL
              SELECT owner_id, closed_at, 'won', amount FROM opportunities
              WHERE status = 'won' AND closed_at >= {T(start)} AND closed_at < {T(so_far_end)})
        GROUP BY ALL)
  GROUP BY owner_id),
activity AS (
  SELECT rep_id,
    COUNT(*) FILTER (p AND type = 'cold_call') AS cold_calls, COUNT(*) FILTER (p AND type = 'call_back') AS call_backs,
    COUNT(*) FILTER (p AND type = 'email') AS emails, COUNT(*) FILTER (p AND type = 'appointment') AS appointments,
    COUNT(*) FILTER (p AND type = 'field_visit') AS field_visits, COUNT(*) FILTER (p AND type = 'demo') AS demos,
    COUNT(*) FILTER (p AND type = 'meeting') AS meetings, COUNT(*) FILTER (p AND type = 'event') AS events,
    COUNT(*) FILTER (p AND conversation) AS conversations, COUNT(*) FILTER (p AND outcome = 'appointment_set') AS appointments_set,
    COUNT(*) FILTER (t AND conversation) AS t_conversations, COUNT(*) FILTER (t AND outcome = 'appointment_set') AS t_appointments_set
  FROM (SELECT rep_id, type, outcome,
               occurred_at >= {T(start)} AND occurred_at < {T(end)} AS p,
               occurred_at >= {T(year_before)} AND occurred_at < {T(cut)} AS t,
               type IN ('cold_call', 'call_back') AND outcome IN ('connected', 'appointment_set') AS conversation
        FROM activities
        WHERE occurred_at >= {T(min(day(start), year_before))} AND occurred_at < {T(max(day(end), cut))})
  GROUP BY rep_id),
demos AS (
  SELECT rep_id, list(struct_pack(product_line_id, demos)) AS demos_by_line
  FROM (SELECT a.rep_id, o.product_line_id, COUNT(*) AS demos
        FROM activities a JOIN opportunities o USING (opportunity_id)
        WHERE a.type = 'demo' AND a.occurred_at >= {T(start)} AND a.occurred_at < {T(end)} AND o.product_line_id IS NOT NULL
        GROUP BY ALL)
  GROUP BY rep_id),
estimates AS (
  SELECT rep_id, list(struct_pack(month, product_line_id, estimates)) AS estimates_by_line
  FROM (SELECT rep_id, date_trunc('month', issued_on) AS month, product_line_id, COUNT(*) AS estimates
        FROM estimates WHERE issued_on >= DATE '{start}' AND issued_on < DATE '{end}' AND issued_on < DATE '{max(cut.replace(day=1), day(start))}' + INTERVAL 1 MONTH
        GROUP BY ALL)
  GROUP BY rep_id),
leads AS (
  SELECT owner_id, COUNT(*) AS company_leads,
    COUNT(*) FILTER (first_touch_at <= created_at + INTERVAL 48 HOUR) AS touched_in_time,
    COUNT(*) FILTER (first_touch_at IS NULL) AS untouched
  FROM leads WHERE source = 'company' AND created_at >= {T(start)} AND created_at < {T(end)}
  GROUP BY owner_id),
contacts_of AS (
  SELECT a.owner_id, COUNT(*) AS contacts,
    COUNT(*) FILTER (coalesce(c.first_name, '') <> '' AND coalesce(c.last_name, '') <> '' AND coalesce(c.address, '') <> ''
                     AND coalesce(c.phone, '') <> '' AND coalesce(c.email, '') <> '') AS complete
  FROM contacts c JOIN accounts a USING (account_id)
  GROUP BY a.owner_id),
satisfaction AS (
  SELECT owner_id, SUM(n) AS responses, SUM(total) / SUM(n) AS mean_score,
    (SUM(promoters) - SUM(detractors)) * 100.0 / SUM(n) AS nps, COUNT(*) FILTER (total / n < 8) AS accounts_below
  FROM (SELECT a.owner_id, f.account_id, COUNT(*) AS n, SUM(f.score) AS total,
               COUNT(*) FILTER (f.score >= 9) AS promoters, COUNT(*) FILTER (f.score <= 6) AS detractors
        FROM feedback f JOIN accounts a USING (account_id)
        WHERE f.received_on >= DATE '{start}' AND f.received_on < DATE '{end}' AND a.owner_id IS NOT NULL
        GROUP BY ALL)
  GROUP BY owner_id),
quota AS (
  SELECT rep_id,
    SUM(target * 100 * overlap / days) FILTER (metric = 'revenue') AS revenue_quota,
    SUM(target * overlap / days) FILTER (metric = 'deals') AS deal_quota
  FROM (SELECT rep_id, metric, target,
               date_diff('day', greatest(period_start, DATE '{start}'), least(period_start + to_months(months), DATE '{end}')) AS overlap,
               date_diff('day', period_start, period_start + to_months(months)) AS days
        FROM quotas
        WHERE product_line_id IS NULL AND period_start < DATE '{end}' AND period_start + to_months(months) > DATE '{start}')
  GROUP BY rep_id)
SELECT r.rep_id, o.revenue, o.deals, o.deals / NULLIF(o.deals + o.lost, 0) AS win_rate, o.revenue / NULLIF(o.deals, 0) AS arps,
       o.cycle, o.median_cycle, o.won_g / NULLIF(o.closed_g, 0) AS gateway_to_won,
       o.fa, o.fa_gateway / NULLIF(o.fa, 0), o.fa_proposal / NULLIF(o.fa, 0), o.won_p / NULLIF(o.closed_p, 0),
       tl.fa_top_level / NULLIF(o.fa, 0) AS top_level_share,
       a.* EXCLUDE (rep_id, t_conversations, t_appointments_set), a.appointments_set / NULLIF(a.conversations, 0),
       q.revenue_quota, o.revenue / NULLIF(q.revenue_quota, 0), o.deals / NULLIF(q.deal_quota, 0),
       p.open_count, p.pipeline, p.weighted, p.due, p.stale, p.past_due,
       o.revenue_so_far, w.weeks,
       o.t_won / NULLIF(o.t_won + o.t_lost, 0) AS t_win_rate, o.t_revenue / NULLIF(o.t_won, 0) AS t_arps,
       o.t_cycle_days / NULLIF(o.t_won, 0) AS t_cycle, a.t_appointments_set / NULLIF(a.t_conversations, 0) AS t_conv_to_appt,
       greatest(q.revenue_quota - coalesce(o.revenue_so_far, 0), 0) / NULLIF(o.t_revenue / NULLIF(o.t_won, 0), 0)
         / NULLIF((o.t_fa_p / NULLIF(o.t_fa, 0)) * (o.t_won_p / NULLIF(o.t_closed_p, 0)), 0) / {weeks_left} AS magic_per_week,
       e.estimates_by_line, d.demos_by_line,
       l.company_leads, l.touched_in_time / NULLIF(l.company_leads, 0), l.untouched / NULLIF(l.company_leads, 0),
       c.complete / NULLIF(c.contacts, 0) AS contact_completeness,
       s.responses, s.mean_score, s.nps, s.accounts_below
FROM reps r
LEFT JOIN outcome o ON o.owner_id = r.rep_id LEFT JOIN top_level tl ON tl.owner_id = r.rep_id
LEFT JOIN pipeline p ON p.owner_id = r.rep_id LEFT JOIN weeks w ON w.owner_id = r.rep_id
LEFT JOIN activity a ON a.rep_id = r.rep_id LEFT JOIN demos d ON d.rep_id = r.rep_id
LEFT JOIN estimates e ON e.rep_id = r.rep_id LEFT JOIN leads l ON l.owner_id = r.rep_id
LEFT JOIN contacts_of c ON c.owner_id = r.rep_id LEFT JOIN satisfaction s ON s.owner_id = r.rep_id
LEFT JOIN quota q ON q.rep_id = r.rep_id
WHERE r.role = 'rep'
"""

warm = db.execute(SCORECARD)  # warm-up
shown = os.environ.get("SHOW_REP")  # one rep's figures, to hold beside `quotient report --format json`
if shown:
    names = [d[0] for d in warm.description]
    for row in warm.fetchall():
        if row[0] == shown:
            print("\n".join(f"{n:<40} {v}" for n, v in zip(names, row)))
else:
    warm.fetchall()
samples = []
for _ in range(runs):
    started = time.perf_counter()
    result = db.execute(SCORECARD).fetchall()
    samples.append((time.perf_counter() - started) * 1000)
median = statistics.median(samples)
print(f"DuckDB {duckdb.__version__}, {rows} opportunities + activities, {len(result)} reps, {start}..{end}, as of {as_of}")
print(f"{'organisation scorecard, plain SQL over typed raw tables (DuckDB)':<58} median {median:>9.2f} ms   runs {' '.join(f'{s:.2f}' for s in samples)}")
