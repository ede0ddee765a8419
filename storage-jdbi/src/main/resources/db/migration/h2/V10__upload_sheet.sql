-- The worksheet a committed upload was read from (CSV for a CSV file), so that the lists of one workbook (one a
-- district) are told apart once committed; null for uploads committed before it was kept.
ALTER TABLE uploads ADD COLUMN sheet VARCHAR(255);
