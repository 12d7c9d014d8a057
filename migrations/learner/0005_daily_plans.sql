CREATE TABLE `plans` (
	`date` text PRIMARY KEY NOT NULL,
	`course_id` text NOT NULL,
	`created_at` text NOT NULL,
	`time_zone` text NOT NULL,
	`archetype` text NOT NULL,
	`mode` text NOT NULL,
	`phase` text NOT NULL,
	`reasons` text NOT NULL,
	`items` text NOT NULL
);
