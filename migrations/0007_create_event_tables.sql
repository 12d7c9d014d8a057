CREATE TABLE `daily_activity` (
	`learner_id` text NOT NULL,
	`day` text NOT NULL,
	`active_seconds` integer DEFAULT 0 NOT NULL,
	`events` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`learner_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `event_dead_letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dead_at` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `event_rejections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at` text NOT NULL,
	`reason` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `learner_events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`learner_id` text NOT NULL,
	`type` text NOT NULL,
	`occurred_at` text NOT NULL,
	`received_at` text NOT NULL,
	`payload` text NOT NULL,
	`applied_by` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `learner_events_learner_idx` ON `learner_events` (`learner_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `lesson_progress` (
	`learner_id` text NOT NULL,
	`lesson_slug` text NOT NULL,
	`started_at` text,
	`completed_at` text,
	`active_seconds` integer DEFAULT 0 NOT NULL,
	`last_activity_at` text NOT NULL,
	PRIMARY KEY(`learner_id`, `lesson_slug`)
);
--> statement-breakpoint
CREATE INDEX `lesson_progress_recent_idx` ON `lesson_progress` (`learner_id`,`last_activity_at`);