-- Users are keyed by an integer per upload instead of its text id: (upload_seq, row_number) rather than
-- (upload_id, row_number): narrower index entries, compared as integers. upload_id stays, as data. upload_seq is null
-- only for rows written by hand with no uploads row. Uploads committed before this migration get their seq in the order
-- the database reads them. (V2 is PostgreSQL's alone.)
ALTER TABLE uploads ADD COLUMN seq BIGINT NOT NULL AUTO_INCREMENT, ADD CONSTRAINT uploads_seq_key UNIQUE (seq);

ALTER TABLE users ADD COLUMN upload_seq BIGINT;
UPDATE users u JOIN uploads p ON p.id = u.upload_id SET u.upload_seq = p.seq;

DROP INDEX users_upload_row_key ON users;
DROP INDEX users_valid_upload_row_idx ON users;
CREATE UNIQUE INDEX users_upload_row_key ON users (upload_seq, `row_number`);
CREATE INDEX users_valid_upload_row_idx ON users (valid, upload_seq, `row_number`);
