-- PostgreSQL: "at most one valid record per NID" moves from a unique index on users.registered_nid to the primary key
-- of a table of its own, registered_nids.
--
-- Why: the NIDs of a sheet come in no order, so a unique index on users took one random B-tree insert per valid row,
-- a cache miss at every level: on a 2-core VM that was 4-7 s of a 1,000,000-row commit, more than the rows themselves.
-- A commit by COPY now writes its users (in row order, at the right edge of the primary key) and then its registered
-- NIDs sorted, in one more COPY, so that the inserts into registered_nids_pkey walk the index from left to right.
-- The guarantee is the same: a second valid record with a registered NID breaks registered_nids_pkey, whoever writes it.
--
-- Triggers keep registered_nids equal to the set of users.registered_nid for every other writer (batched inserts,
-- rows inserted, updated or deleted by hand, TRUNCATE). The COPY writer sets intake.registers_nids = 'on' for its
-- transaction (SET LOCAL) and writes the NIDs itself; the insert trigger stands aside only then.
-- A registered NID is a valid one: 16 digits, the first 1, 2 or 3, so it is stored as a BIGINT (8 bytes, compared as
-- an integer); registered_nid text that is not a number fails the cast, and with it the statement.

CREATE TABLE registered_nids (
    nid BIGINT NOT NULL,
    CONSTRAINT registered_nids_pkey PRIMARY KEY (nid)
);
INSERT INTO registered_nids (nid)
SELECT registered_nid::BIGINT FROM users WHERE registered_nid IS NOT NULL ORDER BY 1;
DROP INDEX users_registered_nid_key;

CREATE FUNCTION users_registered_nids() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM registered_nids;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.registered_nid IS NOT NULL THEN
        DELETE FROM registered_nids WHERE nid = OLD.registered_nid::BIGINT;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.registered_nid IS NOT NULL THEN
        INSERT INTO registered_nids (nid) VALUES (NEW.registered_nid::BIGINT);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_registered_nids_insert AFTER INSERT ON users FOR EACH ROW
    WHEN (NEW.registered_nid IS NOT NULL AND current_setting('intake.registers_nids', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION users_registered_nids();
CREATE TRIGGER users_registered_nids_update AFTER UPDATE OF registered_nid ON users FOR EACH ROW
    WHEN (OLD.registered_nid IS DISTINCT FROM NEW.registered_nid)
    EXECUTE FUNCTION users_registered_nids();
CREATE TRIGGER users_registered_nids_delete AFTER DELETE ON users FOR EACH ROW
    WHEN (OLD.registered_nid IS NOT NULL)
    EXECUTE FUNCTION users_registered_nids();
CREATE TRIGGER users_registered_nids_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT
    EXECUTE FUNCTION users_registered_nids();
