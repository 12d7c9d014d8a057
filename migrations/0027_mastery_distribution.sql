CREATE TABLE `concept_mastery_levels` (
	`course_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`level` text NOT NULL,
	`learners` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`course_id`, `concept_id`, `level`)
);
