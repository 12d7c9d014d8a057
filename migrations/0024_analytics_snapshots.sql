CREATE TABLE `analytics_snapshots` (
	`key` text PRIMARY KEY NOT NULL,
	`computed_at` text NOT NULL,
	`body` text NOT NULL
);
