CREATE TABLE `item_choice_stats` (
	`course_id` text NOT NULL,
	`item_id` text NOT NULL,
	`answer` integer NOT NULL,
	`picks` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`course_id`, `item_id`, `answer`)
);
--> statement-breakpoint
CREATE TABLE `item_stats` (
	`course_id` text NOT NULL,
	`item_id` text NOT NULL,
	`answers` integer DEFAULT 0 NOT NULL,
	`correct` integer DEFAULT 0 NOT NULL,
	`sum_ability` real DEFAULT 0 NOT NULL,
	`sum_ability_squares` real DEFAULT 0 NOT NULL,
	`sum_correct_ability` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`course_id`, `item_id`)
);
--> statement-breakpoint
CREATE TABLE `lesson_stats` (
	`course_id` text NOT NULL,
	`lesson_slug` text NOT NULL,
	`started` integer DEFAULT 0 NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`course_id`, `lesson_slug`)
);
--> statement-breakpoint
ALTER TABLE `learner_activity_daily` ADD `onboarded` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Backfill from the shared logs kept before these rollups (abilities before answers were not kept: they count as 0).
INSERT INTO `item_stats` (`course_id`, `item_id`, `answers`, `correct`)
SELECT `course_id`, `item_id`, count(*), sum(`correct`) FROM `attempt_log` GROUP BY `course_id`, `item_id`;
--> statement-breakpoint
INSERT INTO `item_choice_stats` (`course_id`, `item_id`, `answer`, `picks`)
SELECT `course_id`, `item_id`, `answer`, count(*) FROM `attempt_log` GROUP BY `course_id`, `item_id`, `answer`;
--> statement-breakpoint
INSERT INTO `lesson_stats` (`course_id`, `lesson_slug`, `started`, `completed`)
SELECT `course_id`, `lesson_slug`, count(*), count(*) FROM `lesson_completions` GROUP BY `course_id`, `lesson_slug`;
--> statement-breakpoint
INSERT INTO `learner_activity_daily` (`learner_id`, `course_id`, `day`, `attempts`, `correct`)
SELECT `learner_id`, `course_id`, substr(`occurred_at`, 1, 10), count(*), sum(`correct`) FROM `attempt_log`
GROUP BY `learner_id`, `course_id`, substr(`occurred_at`, 1, 10) ON CONFLICT DO NOTHING;
