-- PostgreSQL: users becomes a table partitioned by LIST (part_seq), so that a large upload can be written into a table
-- of its own and published by ATTACH PARTITION (see JdbiUserStore and PartitionLoad).
--
-- Why: a single COPY of 1,000,000 users into an indexed table kept one core busy for 4.5-5.5 s on a 2-core VM, most
-- of it index inserts. Written through two connections into a table with no index and no trigger, then indexed (two
-- index builds at once, from sorted input), then attached in one short transaction with the upload's sorted NIDs, the
-- same rows took 3.2-4.2 s in psql.
--
-- part_seq is 0 for the rows of small uploads and of rows written by any other means (the default): they stay in
-- users_shared, which is the table users was until now, renamed. A large upload's rows carry its uploads.seq and live
-- in users_u<seq>, whose CHECK (part_seq = seq) proves the partition constraint, so that ATTACH scans nothing. There
-- is no DEFAULT partition (an attach would have to scan it).
--
-- PostgreSQL 15 has no identity columns on partitioned tables: id takes its values from users_id_seq by a default.
-- A unique constraint of a partitioned table must hold the partition key: (upload_seq, row_number, part_seq) is as
-- unique as (upload_seq, row_number) was, as an upload's rows are all in one partition. The triggers of V2 move to
-- the partitioned table, which clones the row triggers onto every partition (an attach does not fire them). TRUNCATE
-- of one partition fires no trigger of users: each partition has a BEFORE TRUNCATE trigger of its own that frees its
-- registered NIDs (users_partition_truncated; PartitionLoad gives each new partition one). Dropping or detaching a
-- partition by hand fires nothing and leaves its NIDs registered: DELETE or TRUNCATE its rows first.

DROP TRIGGER users_registered_nids_insert ON users;
DROP TRIGGER users_registered_nids_update ON users;
DROP TRIGGER users_registered_nids_delete ON users;
DROP TRIGGER users_registered_nids_truncate ON users;

ALTER TABLE users RENAME TO users_shared;
ALTER TABLE users_shared DROP CONSTRAINT users_upload_row_key;
DROP INDEX users_invalid_upload_row_idx;
-- The ids go on from where the identity stopped (or past the largest id, if rows were written with their own).
DO $$
DECLARE
    next_id BIGINT;
BEGIN
    next_id := GREATEST(COALESCE((SELECT MAX(id) FROM users_shared), 0),
                        COALESCE(pg_sequence_last_value(pg_get_serial_sequence('users_shared', 'id')::regclass), 0)) + 1;
    ALTER TABLE users_shared ALTER COLUMN id DROP IDENTITY;
    CREATE SEQUENCE users_id_seq AS BIGINT;
    PERFORM setval('users_id_seq', next_id, false);
END
$$;
ALTER TABLE users_shared ALTER COLUMN id SET NOT NULL;
ALTER TABLE users_shared ALTER COLUMN id SET DEFAULT nextval('users_id_seq');
ALTER TABLE users_shared ADD COLUMN part_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users_shared ADD CONSTRAINT users_shared_part_seq CHECK (part_seq = 0);

CREATE TABLE users (
    id             BIGINT      NOT NULL DEFAULT nextval('users_id_seq'),
    upload_id      VARCHAR(64) COLLATE "C" NOT NULL,
    "row_number"   INTEGER     NOT NULL,
    names          TEXT        NOT NULL,
    nid            TEXT        NOT NULL,
    phone_number   TEXT        NOT NULL,
    gender         TEXT        NOT NULL,
    email          TEXT        NOT NULL,
    nid_valid      BOOLEAN     NOT NULL,
    phone_valid    BOOLEAN     NOT NULL,
    email_valid    BOOLEAN     NOT NULL,
    names_valid    BOOLEAN     NOT NULL,
    gender_valid   BOOLEAN     NOT NULL,
    valid          BOOLEAN     NOT NULL,
    errors         TEXT        NOT NULL,
    committed_at   TIMESTAMPTZ NOT NULL,
    registered_nid VARCHAR(16) COLLATE "C",
    upload_seq     BIGINT,
    part_seq       BIGINT      NOT NULL DEFAULT 0
) PARTITION BY LIST (part_seq);
ALTER SEQUENCE users_id_seq OWNED BY users.id;
ALTER TABLE users ATTACH PARTITION users_shared FOR VALUES IN (0);

ALTER TABLE users ADD CONSTRAINT users_upload_row_key UNIQUE (upload_seq, "row_number", part_seq);
CREATE INDEX users_invalid_upload_row_idx ON users (upload_seq, "row_number") WHERE NOT valid;

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

CREATE FUNCTION users_partition_truncated() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    -- A table not (or no longer) attached registered nothing: its NIDs may be another upload's now.
    IF (SELECT relispartition FROM pg_class WHERE oid = TG_RELID) THEN
        EXECUTE format('DELETE FROM registered_nids r USING %I.%I u '
            'WHERE u.registered_nid IS NOT NULL AND r.nid = u.registered_nid::BIGINT', TG_TABLE_SCHEMA, TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_shared_truncate BEFORE TRUNCATE ON users_shared FOR EACH STATEMENT
    EXECUTE FUNCTION users_partition_truncated();
