-- H2 does not always undo a transaction that the end of its process cut short (kill -9, a crash, power lost): after
-- the restart, part of an unfinished commit can be found in the tables (rows of users without their uploads row, an
-- uploads row with part of its users, registered NIDs without their user). The store marks here that the process
-- stopped cleanly, and the highest uploads.seq when it opened: after any other stop, H2Recovery looks for such remains
-- among the uploads of the run that did not stop cleanly and removes them, before the first commit. A database from
-- before this migration counts as stopped cleanly.
CREATE TABLE clean_stop (
    id          INTEGER PRIMARY KEY,
    clean       BOOLEAN NOT NULL,
    seq_at_open BIGINT  NOT NULL
);
INSERT INTO clean_stop (id, clean, seq_at_open) VALUES (1, TRUE, 0);
