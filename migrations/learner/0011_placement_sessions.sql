CREATE TABLE `placement_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`course_id` text NOT NULL,
	`status` text NOT NULL,
	`theta` real NOT NULL,
	`theta_se` real NOT NULL,
	`current_item_id` text,
	`answers` text NOT NULL,
	`result` text,
	`started_at` text NOT NULL,
	`finished_at` text
);
