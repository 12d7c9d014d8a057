CREATE TABLE `course_concepts` (
	`course_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`label` text NOT NULL,
	PRIMARY KEY(`course_id`, `concept_id`),
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Each course's concepts (those its lessons and quiz items name), labelled as the catalog labels them today.
INSERT INTO `course_concepts` (`course_id`, `concept_id`, `label`)
SELECT DISTINCT l.`course_id`, c.`id`, c.`label`
FROM `lessons` l
JOIN (
  SELECT `lesson_slug`, `concept_id` FROM `lesson_concepts`
  UNION SELECT `lesson_slug`, `concept_id` FROM `quiz_items` WHERE `concept_id` IS NOT NULL
) n ON n.`lesson_slug` = l.`slug`
JOIN `concepts` c ON c.`id` = n.`concept_id`;
