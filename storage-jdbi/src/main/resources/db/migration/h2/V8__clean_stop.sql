-- H2 does not always undo a transaction that the end of its process cut short (kill -9, a crash, power lost): after
-- the restart, part of an unfinished commit can be found in the tables (rows of users without their uploads row, an
-- uploads row with part of its users, registered NIDs without their user). The store marks here that the process
-- stopped cleanly; after any other stop H2Recovery looks for such remains and removes them before the first commit.
-- FALSE: the first start after this migration looks too.
CREATE TABLE clean_stop (
    id    INTEGER PRIMARY KEY,
    clean BOOLEAN NOT NULL
);
INSERT INTO clean_stop (id, clean) VALUES (1, FALSE);
