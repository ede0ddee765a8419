-- Accounts can be disabled, and refresh tokens are kept so that each is used once and can be revoked. A refresh token
-- row is its JWT's id (jti); the rows of one login share a family. A used row stays until it expires, so that a second
-- use is recognised (and ends the family). Rows go with their account, and the server deletes expired ones.
ALTER TABLE accounts ADD COLUMN disabled BOOLEAN DEFAULT FALSE NOT NULL;

CREATE TABLE refresh_tokens (
    id         VARCHAR(64) PRIMARY KEY,
    family     VARCHAR(64) NOT NULL,
    account_id BIGINT      NOT NULL,
    expires_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    used       BOOLEAN DEFAULT FALSE NOT NULL,
    CONSTRAINT refresh_tokens_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family);
CREATE INDEX refresh_tokens_account_idx ON refresh_tokens (account_id);
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);
