-- Room on each page for the rows that writes update in place: an opportunity's stage move and a
-- rollup cell's delta. With pages packed full (as a bulk load leaves them), every update of such a
-- row wrote a new entry into each of the table's indexes; with room on the page, PostgreSQL keeps the
-- new version beside the old one and leaves the indexes alone when no indexed column changed (a
-- "HOT" update). Pages written from now on keep 15% free; existing pages get it when rewritten.
ALTER TABLE opportunities SET (fillfactor = 85);
ALTER TABLE rollup_cells SET (fillfactor = 85);
