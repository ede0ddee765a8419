-- A refresh token whose answer was lost may be sent again for a short while after its first use (the server's
-- REFRESH_TOKEN_REUSE_SECONDS): a used row keeps when it was used and the id of the token its answer carried, so that
-- a second sending is told apart from a theft (the successor not used yet) and spends that successor. Rows used before
-- this version have neither and are never sent again. One statement, which runs again as it is after a stop that cut
-- it short.
ALTER TABLE refresh_tokens
    ADD COLUMN IF NOT EXISTS used_at DATETIME(6) NULL,
    ADD COLUMN IF NOT EXISTS successor VARCHAR(64) NULL;
