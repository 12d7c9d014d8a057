CREATE TABLE `concept_links` (
	`course_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`linked_course_id` text NOT NULL,
	`linked_concept_id` text NOT NULL,
	PRIMARY KEY(`course_id`, `concept_id`, `linked_course_id`),
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `concept_links_linked_idx` ON `concept_links` (`linked_course_id`,`linked_concept_id`);