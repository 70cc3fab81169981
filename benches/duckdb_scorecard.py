#!/usr/bin/env python3
"""The reference engine for the organisation scorecard (docs/BENCHMARKS.md): the same KPIs as
`quotient report` for every rep and one quarter, written as plain SQL over the bundle's raw tables
in DuckDB (in memory, all cores). Prints the median of RUNS warm runs.

    benches/duckdb_scorecard.py BUNDLE [PERIOD_START PERIOD_END AS_OF RUNS]
"""
import statistics
import sys
import time

import duckdb

bundle = sys.argv[1]
start, end, as_of = (sys.argv[2:5] + ["2026-07-01", "2026-10-01", "2026-11-22"][len(sys.argv[2:5]):])
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 5

db = duckdb.connect()
for table in ["reps", "opportunities", "activities", "quotas", "leads", "estimates", "feedback", "accounts"]:
    db.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{bundle}/{table}.csv', header = true, all_varchar = true)")
rows = db.execute("SELECT SUM(c) FROM (SELECT COUNT(*) c FROM opportunities UNION ALL SELECT COUNT(*) FROM activities)").fetchone()[0]

SCORECARD = f"""
WITH o AS (
  SELECT owner_id, status, round(CAST(amount AS DECIMAL(18, 2)) * 100)::BIGINT AS cents,
         CAST(created_at AS TIMESTAMPTZ) AS created, CAST(first_appointment_at AS TIMESTAMPTZ) AS fa,
         CAST(gateway_at AS TIMESTAMPTZ) AS ga, CAST(proposal_at AS TIMESTAMPTZ) AS pa,
         CAST(closed_at AS TIMESTAMPTZ) AS closed, CAST(expected_close_on AS DATE) AS expected
  FROM opportunities),
period AS (SELECT TIMESTAMPTZ '{start} 00:00:00+00' AS s, TIMESTAMPTZ '{end} 00:00:00+00' AS e,
                  TIMESTAMPTZ '{as_of} 00:00:00+00' + INTERVAL 1 DAY AS cut),
outcome AS (
  SELECT owner_id,
    SUM(cents) FILTER (WHERE status = 'won' AND closed >= s AND closed < e) AS revenue,
    COUNT(*) FILTER (WHERE status = 'won' AND closed >= s AND closed < e) AS deals,
    COUNT(*) FILTER (WHERE status = 'lost' AND closed >= s AND closed < e) AS lost,
    AVG(date_diff('day', CAST(created AS DATE), CAST(closed AS DATE))) FILTER (WHERE status = 'won' AND closed >= s AND closed < e) AS cycle,
    MEDIAN(date_diff('day', CAST(created AS DATE), CAST(closed AS DATE))) FILTER (WHERE status = 'won' AND closed >= s AND closed < e) AS median_cycle,
    COUNT(*) FILTER (WHERE fa >= s AND fa < e) AS fa,
    COUNT(*) FILTER (WHERE fa >= s AND fa < e AND (ga IS NOT NULL OR pa IS NOT NULL)) AS fa_gateway,
    COUNT(*) FILTER (WHERE fa >= s AND fa < e AND pa IS NOT NULL) AS fa_proposal,
    COUNT(*) FILTER (WHERE status <> 'open' AND closed >= s AND closed < e AND pa IS NOT NULL) AS closed_p,
    COUNT(*) FILTER (WHERE status = 'won' AND closed >= s AND closed < e AND pa IS NOT NULL) AS won_p,
    COUNT(*) FILTER (WHERE status = 'won' AND closed >= cut - INTERVAL 1 YEAR AND closed < cut) AS t_won,
    COUNT(*) FILTER (WHERE status = 'lost' AND closed >= cut - INTERVAL 1 YEAR AND closed < cut) AS t_lost,
    SUM(cents) FILTER (WHERE status = 'won' AND closed >= cut - INTERVAL 1 YEAR AND closed < cut) AS t_revenue,
    COUNT(*) FILTER (WHERE fa >= cut - INTERVAL 1 YEAR AND fa < cut) AS t_fa,
    COUNT(*) FILTER (WHERE fa >= cut - INTERVAL 1 YEAR AND fa < cut AND pa IS NOT NULL) AS t_fa_p,
    COUNT(*) FILTER (WHERE status <> 'open' AND closed >= cut - INTERVAL 1 YEAR AND closed < cut AND pa IS NOT NULL) AS t_closed_p,
    COUNT(*) FILTER (WHERE status = 'won' AND closed >= cut - INTERVAL 1 YEAR AND closed < cut AND pa IS NOT NULL) AS t_won_p,
    COUNT(*) FILTER (WHERE status = 'open') AS open_count,
    SUM(cents) FILTER (WHERE status = 'open') AS pipeline,
    SUM(cents) FILTER (WHERE status = 'open' AND expected < CAST(e AS DATE)) AS due
  FROM o, period GROUP BY owner_id),
activity AS (
  SELECT rep_id,
    COUNT(*) FILTER (WHERE type = 'cold_call') AS cold_calls, COUNT(*) FILTER (WHERE type = 'call_back') AS call_backs,
    COUNT(*) FILTER (WHERE type = 'email') AS emails, COUNT(*) FILTER (WHERE type = 'appointment') AS appointments,
    COUNT(*) FILTER (WHERE type = 'field_visit') AS field_visits, COUNT(*) FILTER (WHERE type = 'demo') AS demos,
    COUNT(*) FILTER (WHERE type = 'meeting') AS meetings, COUNT(*) FILTER (WHERE type = 'event') AS events,
    COUNT(*) FILTER (WHERE type IN ('cold_call', 'call_back') AND outcome IN ('connected', 'appointment_set')) AS conversations,
    COUNT(*) FILTER (WHERE outcome = 'appointment_set') AS appointments_set
  FROM activities, period WHERE CAST(occurred_at AS TIMESTAMPTZ) >= s AND CAST(occurred_at AS TIMESTAMPTZ) < e GROUP BY rep_id),
quota AS (
  SELECT rep_id, SUM(CAST(target AS DECIMAL(18, 2))) FILTER (WHERE metric = 'revenue') * 100 AS revenue_quota,
         SUM(CAST(target AS DECIMAL(18, 2))) FILTER (WHERE metric = 'deals') AS deal_quota
  FROM quotas WHERE product_line_id IS NULL AND period >= strftime(DATE '{start}', '%Y-%m') AND period < strftime(DATE '{end}', '%Y-%m')
  GROUP BY rep_id)
SELECT r.rep_id, o.revenue, o.deals, o.deals / NULLIF(o.deals + o.lost, 0) AS win_rate, o.revenue / NULLIF(o.deals, 0) AS arps,
       o.cycle, o.median_cycle, o.fa, o.fa_gateway / NULLIF(o.fa, 0), o.fa_proposal / NULLIF(o.fa, 0), o.won_p / NULLIF(o.closed_p, 0),
       a.*, a.appointments_set / NULLIF(a.conversations, 0),
       q.revenue_quota, o.revenue / NULLIF(q.revenue_quota, 0), o.deals / NULLIF(q.deal_quota, 0),
       o.open_count, o.pipeline, o.due,
       greatest(q.revenue_quota - o.revenue, 0) / NULLIF(o.t_revenue / NULLIF(o.t_won, 0), 0)
         / NULLIF((o.t_fa_p / NULLIF(o.t_fa, 0)) * (o.t_won_p / NULLIF(o.t_closed_p, 0)), 0) AS magic_total
FROM reps r LEFT JOIN outcome o ON o.owner_id = r.rep_id LEFT JOIN activity a ON a.rep_id = r.rep_id
LEFT JOIN quota q ON q.rep_id = r.rep_id
WHERE r.role = 'rep'
"""

db.execute(SCORECARD).fetchall()  # warm-up
samples = []
for _ in range(runs):
    started = time.perf_counter()
    result = db.execute(SCORECARD).fetchall()
    samples.append((time.perf_counter() - started) * 1000)
print(f"DuckDB {duckdb.__version__}, {rows} opportunities + activities, {len(result)} reps, {start}..{end}")
print(f"{'organisation scorecard, plain SQL over the raw tables (DuckDB)':<58} median {statistics.median(samples):>9.2f} ms   runs {' '.join(f'{s:.2f}' for s in samples)}")
