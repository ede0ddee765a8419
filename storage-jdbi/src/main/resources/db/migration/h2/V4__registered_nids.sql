-- H2: "at most one valid record per NID" moves from a unique index on users.registered_nid to the primary key of a
-- table of its own, registered_nids, as on PostgreSQL (its V2, which explains why: a sheet's NIDs come in no order,
-- and a unique index took one random insert per valid row; in H2 that index was half of a 50,000-row commit).
-- The commit's writer inserts the users, then its registered NIDs sorted. The Java trigger H2RegisteredNids keeps
-- registered_nids equal to the set of users.registered_nid for every other writer (rows inserted, updated or deleted
-- by hand); it stands aside only for the inserts of a commit on the thread that makes them. H2 runs no trigger on
-- TRUNCATE, so TRUNCATE of users is refused: users_truncate_guard references users (and stays empty). DELETE works.
CREATE TABLE registered_nids (
    nid BIGINT NOT NULL,
    CONSTRAINT registered_nids_pkey PRIMARY KEY (nid)
);
INSERT INTO registered_nids (nid)
SELECT CAST(registered_nid AS BIGINT) FROM users WHERE registered_nid IS NOT NULL ORDER BY 1;
DROP INDEX users_registered_nid_key;

CREATE TRIGGER users_registered_nids AFTER INSERT, UPDATE, DELETE ON users FOR EACH ROW
    CALL 'rw.intake.storage.internal.H2RegisteredNids';

CREATE TABLE users_truncate_guard (
    user_id BIGINT,
    CONSTRAINT users_truncate_guard_fk FOREIGN KEY (user_id) REFERENCES users (id)
);
