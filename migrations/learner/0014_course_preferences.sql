CREATE TABLE `course_preferences` (
	`course_id` text PRIMARY KEY NOT NULL,
	`preferences` text NOT NULL,
	`updated_at` text NOT NULL
);
