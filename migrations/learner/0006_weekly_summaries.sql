CREATE TABLE `weekly_summaries` (
	`week` text PRIMARY KEY NOT NULL,
	`course_id` text,
	`built_at` text NOT NULL,
	`summary` text NOT NULL,
	`concepts` text NOT NULL
);
