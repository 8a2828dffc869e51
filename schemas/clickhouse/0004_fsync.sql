-- An acknowledgement means "on disk", not only "in the page cache": ClickHouse does not fsync
-- new parts by default, so a power loss could take acknowledged rows. Every table whose
-- writes are acknowledged to someone (events to senders; users, keys, sessions, audit to admins)
-- fsyncs each new part and its directory before the insert returns.
ALTER TABLE events MODIFY SETTING fsync_after_insert = 1, fsync_part_directory = 1;
ALTER TABLE users MODIFY SETTING fsync_after_insert = 1, fsync_part_directory = 1;
ALTER TABLE api_keys MODIFY SETTING fsync_after_insert = 1, fsync_part_directory = 1;
ALTER TABLE sessions MODIFY SETTING fsync_after_insert = 1, fsync_part_directory = 1;
ALTER TABLE audit_log MODIFY SETTING fsync_after_insert = 1, fsync_part_directory = 1;
