-- Activity goals are quotas of the work that leads to revenue: cold calls, call-backs,
-- conversations, appointments set, field visits and proposals join the metrics a quota may have
-- (first appointments already were one), set per ISO week (period 'YYYY-Www') or per month.
ALTER TABLE quotas DROP CONSTRAINT quotas_metric_check;
ALTER TABLE quotas ADD CONSTRAINT quotas_metric_check CHECK (metric IN ('revenue', 'margin', 'deals', 'estimates', 'first_appointments', 'cold_calls', 'call_backs',
                                              'conversations', 'appointments_set', 'field_visits', 'proposals'));
