-- Distributes Quotient's PostgreSQL schema on Citus by organisation (docs/DEPLOYMENT.md).
-- Run once, on the coordinator, in the schema the migrations made, before any data is loaded:
--   psql "$COORDINATOR_URL" -v ON_ERROR_STOP=1 -1 -f crates/store/citus/distribute.sql
-- crates/store/tests/citus_ready.rs checks this file against the migrations: every table is named
-- here once, every table with org_id is distributed by it in one colocation group (or is a
-- reference or local table named below with its reason), and a table is distributed after the
-- tables its foreign keys refer to.

-- Every table refers to its organisation; the organisations are few, read by slug at sign-in, and
-- copied to every node.
SELECT create_reference_table('organisations');

-- Local to the coordinator: not organisation data, or looked up before the organisation is known.
-- local: schema_migrations (the migrations' ledger; Citus propagates the DDL itself)
-- local: sessions (found by the token's hash alone, at every request)
-- local: api_tokens (found by the token's hash alone, at every API request)
-- local: sign_in_failures (the throttle, by email, across organisations)
-- local: sign_in_addresses (the throttle, by account and client, across organisations)

-- The organisation's data: distributed by org_id in one colocation group, so every join, foreign
-- key and transaction of one organisation stays on one node.
SELECT create_distributed_table('territories', 'org_id');
SELECT create_distributed_table('reps', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('users', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('audit_log', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('org_settings', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('id_sequences', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('stages', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('gateway_types', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('product_lines', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('accounts', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('contacts', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('contact_relationships', 'org_id', colocate_with => 'territories');
-- Leads and opportunities refer to each other: the lead's key is set aside while the two are
-- distributed, and put back once both are.
ALTER TABLE leads DROP CONSTRAINT leads_org_id_opportunity_id_fkey;
SELECT create_distributed_table('leads', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('opportunities', 'org_id', colocate_with => 'territories');
ALTER TABLE leads ADD CONSTRAINT leads_org_id_opportunity_id_fkey FOREIGN KEY (org_id, opportunity_id)
    REFERENCES opportunities (org_id, id) DEFERRABLE INITIALLY DEFERRED;
SELECT create_distributed_table('stage_changes', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('activities', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('estimates', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('feedback', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('quotas', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('rollup_cells', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('one_on_ones', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('one_on_one_actions', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('company_plans', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('company_plan_lines', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('plan_territory_weights', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('territory_plans', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('territory_plan_accounts', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('territory_plan_objectives', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('account_decision_processes', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('account_decision_steps', 'org_id', colocate_with => 'territories');
-- Incentives. The trigger that keeps locked statements as they are runs on each shard: Citus
-- propagates it when `citus.enable_unsafe_triggers` is on (docs/DEPLOYMENT.md).
SELECT create_distributed_table('incentive_years', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('incentive_plans', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('plan_assignments', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('contests', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('opportunity_splits', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('statements', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('statement_adjustments', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('statement_disputes', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('contest_awards', 'org_id', colocate_with => 'territories');
-- The forecast.
SELECT create_distributed_table('forecast_overrides', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('forecast_calls', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('forecast_snapshots', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('forecast_snapshot_deals', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('forecast_expected', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('forecast_figures', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('forecast_figure_people', 'org_id', colocate_with => 'territories');
SELECT create_distributed_table('forecast_totals', 'org_id', colocate_with => 'territories');
