CREATE TABLE `answer_feedback_stats` (
	`course_id` text NOT NULL,
	`engine` text NOT NULL,
	`reason` text NOT NULL,
	`up` integer DEFAULT 0 NOT NULL,
	`down` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`course_id`, `engine`, `reason`)
);
