-- Text compares byte for byte, as in H2 and PostgreSQL. utf8mb4_bin is a PAD SPACE collation: it takes 'admin' and
-- 'admin ' for the same value, so a username or an upload id with trailing spaces found another's rows.
-- utf8mb4_nopad_bin compares every byte. The foreign key from record_edits to uploads joins two of the columns
-- converted, which MariaDB does not change under a key: it is made again after them.
ALTER TABLE record_edits DROP FOREIGN KEY record_edits_upload_fk;
ALTER TABLE accounts CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE refresh_tokens CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE uploads CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE record_edits CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE record_edits ADD CONSTRAINT record_edits_upload_fk FOREIGN KEY (upload_id) REFERENCES uploads (id);
