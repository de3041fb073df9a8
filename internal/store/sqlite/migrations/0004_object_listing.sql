-- Listing columns: a ListObjects page reads these and never decodes the
-- object's JSON record.
ALTER TABLE objects ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE objects ADD COLUMN etag TEXT NOT NULL DEFAULT '';
ALTER TABLE objects ADD COLUMN modified INTEGER NOT NULL DEFAULT 0; -- Unix nanoseconds
ALTER TABLE objects ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE objects ADD COLUMN checksum_algorithm TEXT NOT NULL DEFAULT '';
ALTER TABLE objects ADD COLUMN checksum_type TEXT NOT NULL DEFAULT '';
UPDATE objects SET
    size = coalesce(json_extract(data, '$.Size'), 0),
    etag = coalesce(json_extract(data, '$.ETag'), ''),
    modified = coalesce(CAST(unixepoch(json_extract(data, '$.LastModified'), 'subsec') * 1000000000 AS INTEGER), 0),
    owner = coalesce(json_extract(data, '$.Owner'), ''),
    checksum_algorithm = coalesce(json_extract(data, '$.Checksum.Algorithm'), ''),
    checksum_type = coalesce(json_extract(data, '$.Checksum.Type'), '');
