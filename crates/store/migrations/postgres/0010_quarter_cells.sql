-- The reps' quarter cells (grain 'quarter'): a quarter, or the three quarters inside a trailing
-- year, reads one cell per rep and product line where it read three months' cells. Kept by every
-- rollup delta and rebuild from now on; here summed once from the reps' month cells.
INSERT INTO rollup_cells (org_id, rep_id, grain, day, product_line_id,
    won, won_amount, won_margin, won_cycle_days, lost, closed_after_proposal,
    won_after_proposal, first_appointments, first_appointments_to_gateway,
    first_appointments_to_proposal, first_appointments_top_level, cold_calls, call_backs,
    emails, appointments, field_visits, demos, meetings, events, conversations,
    appointments_set, estimates, company_leads, company_leads_touched_in_time,
    company_leads_untouched, contacts, complete_contacts)
SELECT org_id, rep_id, 'quarter', date_trunc('quarter', day)::date, product_line_id,
       SUM(won),
       SUM(won_amount),
       SUM(won_margin),
       SUM(won_cycle_days),
       SUM(lost),
       SUM(closed_after_proposal),
       SUM(won_after_proposal),
       SUM(first_appointments),
       SUM(first_appointments_to_gateway),
       SUM(first_appointments_to_proposal),
       SUM(first_appointments_top_level),
       SUM(cold_calls),
       SUM(call_backs),
       SUM(emails),
       SUM(appointments),
       SUM(field_visits),
       SUM(demos),
       SUM(meetings),
       SUM(events),
       SUM(conversations),
       SUM(appointments_set),
       SUM(estimates),
       SUM(company_leads),
       SUM(company_leads_touched_in_time),
       SUM(company_leads_untouched),
       SUM(contacts),
       SUM(complete_contacts)
FROM rollup_cells
WHERE grain = 'month'
GROUP BY org_id, rep_id, date_trunc('quarter', day)::date, product_line_id;
