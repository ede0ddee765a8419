-- A valid record registers its NID: the unique key on registered NIDs holds a NID once only if no valid record can
-- leave its NID unregistered. intake's commits always register a valid record's NID; this makes the database refuse
-- any other writer's valid row without one (a row inserted by hand), so that a NID has at most one valid record
-- whoever writes it.
ALTER TABLE users ADD CONSTRAINT users_valid_registered CHECK (NOT valid OR registered_nid IS NOT NULL);
