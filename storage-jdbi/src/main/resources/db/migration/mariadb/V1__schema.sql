-- MariaDB (InnoDB, utf8mb4, binary collation as in H2 and PostgreSQL). ROW_NUMBER is reserved here: the pool sets
-- sql_mode ANSI_QUOTES so that the queries can write "row_number" in every dialect.
CREATE TABLE accounts (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    username      VARCHAR(100) NOT NULL,
    password_hash VARCHAR(500) NOT NULL,
    role          VARCHAR(20)  NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    CONSTRAINT accounts_username_key UNIQUE (username)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE uploads (
    id              VARCHAR(64)   PRIMARY KEY,
    owner           VARCHAR(100)  NOT NULL,
    file_name       VARCHAR(1000) NOT NULL,
    records         BIGINT        NOT NULL,
    valid_records   BIGINT        NOT NULL,
    invalid_records BIGINT        NOT NULL,
    with_warnings   BIGINT        NOT NULL,
    blank_rows      BIGINT        NOT NULL,
    commit_mode     VARCHAR(10)   NOT NULL,
    committed       BIGINT        NOT NULL,
    skipped         BIGINT        NOT NULL,
    conflicts       BIGINT        NOT NULL,
    committed_at    DATETIME(6) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE INDEX uploads_owner_idx ON uploads (owner);

CREATE TABLE users (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    upload_id      VARCHAR(64) NOT NULL,
    `row_number`   INTEGER     NOT NULL,
    names          MEDIUMTEXT  NOT NULL,
    nid            MEDIUMTEXT  NOT NULL,
    phone_number   MEDIUMTEXT  NOT NULL,
    gender         MEDIUMTEXT  NOT NULL,
    email          MEDIUMTEXT  NOT NULL,
    nid_valid      BOOLEAN     NOT NULL,
    phone_valid    BOOLEAN     NOT NULL,
    email_valid    BOOLEAN     NOT NULL,
    names_valid    BOOLEAN     NOT NULL,
    gender_valid   BOOLEAN     NOT NULL,
    valid          BOOLEAN     NOT NULL,
    errors         MEDIUMTEXT  NOT NULL,
    committed_at   DATETIME(6) NOT NULL,
    registered_nid VARCHAR(16)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
CREATE UNIQUE INDEX users_registered_nid_key ON users (registered_nid);
CREATE UNIQUE INDEX users_upload_row_key ON users (upload_id, `row_number`);
CREATE INDEX users_valid_upload_row_idx ON users (valid, upload_id, `row_number`);
