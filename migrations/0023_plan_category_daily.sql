CREATE TABLE `plan_category_daily` (
	`day` text NOT NULL,
	`course_id` text NOT NULL,
	`category` text NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `course_id`, `category`)
);
