-- The latest changes of one kind of row (the plan page's quota changes) are read newest first:
-- through this index, rather than by walking the whole log back from its newest entry, which
-- every logged activity lengthens.
CREATE INDEX audit_log_latest_by_entity ON audit_log (org_id, entity, id);
