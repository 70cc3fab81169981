-- The reps' year cells (grain 'year', with 'all_year' and 'demo_year' beside it): a trailing year
-- reads most of its months as one year cell less the year's last month, where it read three
-- quarters and two months. Kept by every rollup delta and rebuild from now on; here summed once
-- from the quarter cells.
-- PostgreSQL's indexes of the grains' values cover the new grains. The year of a day is truncated
-- as a timestamp without a time zone, which depends on no setting (as in 0021).
DROP INDEX rollup_cells_by_period;
DROP INDEX rollup_cells_standing;
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id,
    won, won_amount, won_margin, won_cycle_days, lost, closed_after_proposal,
    won_after_proposal, closed_after_gateway, won_after_gateway, first_appointments,
    first_appointments_to_gateway, first_appointments_to_proposal, first_appointments_top_level,
    cold_calls, call_backs, emails, appointments, field_visits, demos, meetings, events,
    conversations, appointments_set, estimates, company_leads, company_leads_touched_in_time,
    company_leads_untouched, contacts, complete_contacts, open_opportunities)
SELECT org_id, rep_id, replace(grain, 'quarter', 'year'), CAST(date_trunc('year', CAST(day AS TIMESTAMP)) AS DATE), product_line_id,
       SUM(won), SUM(won_amount), SUM(won_margin), SUM(won_cycle_days), SUM(lost),
       SUM(closed_after_proposal), SUM(won_after_proposal), SUM(closed_after_gateway),
       SUM(won_after_gateway), SUM(first_appointments), SUM(first_appointments_to_gateway),
       SUM(first_appointments_to_proposal), SUM(first_appointments_top_level), SUM(cold_calls),
       SUM(call_backs), SUM(emails), SUM(appointments), SUM(field_visits), SUM(demos),
       SUM(meetings), SUM(events), SUM(conversations), SUM(appointments_set), SUM(estimates),
       SUM(company_leads), SUM(company_leads_touched_in_time), SUM(company_leads_untouched),
       SUM(contacts), SUM(complete_contacts), SUM(open_opportunities)
FROM rollup_cells
WHERE grain IN ('quarter', 'all_quarter', 'demo_quarter')
GROUP BY org_id, rep_id, grain, date_trunc('year', CAST(day AS TIMESTAMP)), product_line_id;

CREATE INDEX rollup_cells_by_period ON rollup_cells (org_id, grain, day, rep_id, product_line_id)
INCLUDE (
    won, won_amount, won_margin, won_cycle_days, lost, closed_after_proposal, won_after_proposal,
    closed_after_gateway, won_after_gateway, first_appointments, first_appointments_to_gateway,
    first_appointments_to_proposal, first_appointments_top_level, cold_calls, call_backs, emails,
    appointments, field_visits, demos, meetings, events, conversations, appointments_set,
    estimates, company_leads, company_leads_touched_in_time, company_leads_untouched)
WHERE grain IN ('day', 'week', 'month', 'quarter', 'year', 'all_week', 'all_month', 'all_quarter', 'all_year');
CREATE INDEX rollup_cells_standing ON rollup_cells (org_id, grain, day, rep_id, product_line_id)
INCLUDE (contacts, complete_contacts, open_opportunities, demos)
WHERE grain IN ('state', 'open_activity', 'open_close', 'demo_day', 'demo_week', 'demo_month', 'demo_quarter', 'demo_year');
