-- Every rep's cells of every product line together, at grains of their own beside the week, month
-- and quarter ('all_week', 'all_month', 'all_quarter', product line -1): a read across product
-- lines (the organisation's scorecard, a rep's trend) reads one cell where it read one per line,
-- from a range of the index that holds those cells only. Not beside the day: a day is read only at
-- a period's edges, and its cells are most of the table. Writes and rebuilds keep them from here
-- on; these are the sums of the cells so far. PostgreSQL's index of the calendar grains' values covers the new grains.
DROP INDEX rollup_cells_by_period;
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id,
    won, won_amount, won_margin, won_cycle_days, lost, closed_after_proposal,
    won_after_proposal, closed_after_gateway, won_after_gateway, first_appointments,
    first_appointments_to_gateway, first_appointments_to_proposal, first_appointments_top_level,
    cold_calls, call_backs, emails, appointments, field_visits, demos, meetings, events,
    conversations, appointments_set, estimates, company_leads, company_leads_touched_in_time,
    company_leads_untouched, contacts, complete_contacts, open_opportunities)
SELECT org_id, rep_id, 'all_' || grain, day, -1,
       SUM(won), SUM(won_amount), SUM(won_margin), SUM(won_cycle_days), SUM(lost),
       SUM(closed_after_proposal), SUM(won_after_proposal), SUM(closed_after_gateway),
       SUM(won_after_gateway), SUM(first_appointments), SUM(first_appointments_to_gateway),
       SUM(first_appointments_to_proposal), SUM(first_appointments_top_level), SUM(cold_calls),
       SUM(call_backs), SUM(emails), SUM(appointments), SUM(field_visits), SUM(demos),
       SUM(meetings), SUM(events), SUM(conversations), SUM(appointments_set), SUM(estimates),
       SUM(company_leads), SUM(company_leads_touched_in_time), SUM(company_leads_untouched),
       SUM(contacts), SUM(complete_contacts), SUM(open_opportunities)
FROM rollup_cells
WHERE grain IN ('week', 'month', 'quarter')
GROUP BY org_id, rep_id, grain, day;

CREATE INDEX rollup_cells_by_period ON rollup_cells (org_id, grain, day, rep_id, product_line_id)
INCLUDE (
    won, won_amount, won_margin, won_cycle_days, lost, closed_after_proposal, won_after_proposal,
    closed_after_gateway, won_after_gateway, first_appointments, first_appointments_to_gateway,
    first_appointments_to_proposal, first_appointments_top_level, cold_calls, call_backs, emails,
    appointments, field_visits, demos, meetings, events, conversations, appointments_set,
    estimates, company_leads, company_leads_touched_in_time, company_leads_untouched)
WHERE grain IN ('day', 'week', 'month', 'quarter', 'all_week', 'all_month', 'all_quarter');
