-- The changes people made to staged records before the commit (edits of the five fields and exclusions, field
-- "excluded" with "true"/"false"), written in the commit's transaction: what the sheet said and what was saved.
CREATE TABLE record_edits (
    id           BIGINT AUTO_INCREMENT PRIMARY KEY,
    upload_id    VARCHAR(64) NOT NULL,
    `row_number` INTEGER      NOT NULL,
    field        VARCHAR(20)  NOT NULL,
    old_value    MEDIUMTEXT NOT NULL,
    new_value    MEDIUMTEXT NOT NULL,
    account      VARCHAR(100) NOT NULL,
    edited_at    DATETIME(6) NOT NULL,
    CONSTRAINT record_edits_upload_fk FOREIGN KEY (upload_id) REFERENCES uploads (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX record_edits_upload_row_idx ON record_edits (upload_id, `row_number`);
