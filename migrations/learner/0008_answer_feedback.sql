CREATE TABLE `answer_feedback` (
	`answer_key` text PRIMARY KEY NOT NULL,
	`course_id` text NOT NULL,
	`engine` text NOT NULL,
	`rating` text NOT NULL,
	`reason` text,
	`at` text NOT NULL
);
