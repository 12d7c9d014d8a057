CREATE TABLE `aggregate_receipts` (
	`learner_id` text NOT NULL,
	`seq` integer NOT NULL,
	`applied_by` text NOT NULL,
	`received_at` text NOT NULL,
	PRIMARY KEY(`learner_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `aggregate_receipts_received_idx` ON `aggregate_receipts` (`received_at`);--> statement-breakpoint
CREATE TABLE `attempt_log` (
	`learner_id` text NOT NULL,
	`event_id` text NOT NULL,
	`course_id` text NOT NULL,
	`item_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`lesson_slug` text NOT NULL,
	`answer` integer NOT NULL,
	`correct` integer NOT NULL,
	`occurred_at` text NOT NULL,
	PRIMARY KEY(`learner_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `attempt_log_concept_idx` ON `attempt_log` (`concept_id`,`learner_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `lesson_activity_daily` (
	`course_id` text NOT NULL,
	`lesson_slug` text NOT NULL,
	`day` text NOT NULL,
	`active_seconds` integer DEFAULT 0 NOT NULL,
	`heartbeats` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`course_id`, `lesson_slug`, `day`)
);
--> statement-breakpoint
CREATE TABLE `lesson_completions` (
	`learner_id` text NOT NULL,
	`course_id` text NOT NULL,
	`lesson_slug` text NOT NULL,
	`completed_at` text NOT NULL,
	PRIMARY KEY(`learner_id`, `lesson_slug`)
);
--> statement-breakpoint
CREATE INDEX `lesson_completions_lesson_idx` ON `lesson_completions` (`lesson_slug`);--> statement-breakpoint
-- The shared attempt log and completions start from what the learner tables hold now.
INSERT OR IGNORE INTO `attempt_log` (`learner_id`, `event_id`, `course_id`, `item_id`, `concept_id`, `lesson_slug`, `answer`, `correct`, `occurred_at`)
SELECT a.`learner_id`, a.`event_id`, l.`course_id`, a.`item_id`, a.`concept_id`, l.`slug`, a.`answer`, a.`correct`, a.`occurred_at`
FROM `quiz_attempts` a JOIN `quiz_items` q ON q.`id` = a.`item_id` JOIN `lessons` l ON l.`slug` = q.`lesson_slug`;
--> statement-breakpoint
INSERT OR IGNORE INTO `lesson_completions` (`learner_id`, `course_id`, `lesson_slug`, `completed_at`)
SELECT p.`learner_id`, l.`course_id`, p.`lesson_slug`, p.`completed_at`
FROM `lesson_progress` p JOIN `lessons` l ON l.`slug` = p.`lesson_slug` WHERE p.`completed_at` IS NOT NULL;
