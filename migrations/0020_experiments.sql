CREATE TABLE `experiment_exposures` (
	`experiment_id` text NOT NULL,
	`learner_id` text NOT NULL,
	`variant` text NOT NULL,
	`exposed_at` text NOT NULL,
	PRIMARY KEY(`experiment_id`, `learner_id`)
);
--> statement-breakpoint
CREATE INDEX `experiment_exposures_learner` ON `experiment_exposures` (`learner_id`);--> statement-breakpoint
CREATE TABLE `experiments` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`hypothesis` text DEFAULT '' NOT NULL,
	`flag_key` text NOT NULL,
	`definition` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`weights` text NOT NULL,
	`bucket_version` integer DEFAULT 1 NOT NULL,
	`started_at` text,
	`stopped_at` text,
	`weights_updated_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `flags` (
	`key` text PRIMARY KEY NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`default_value` text NOT NULL,
	`rules` text DEFAULT '[]' NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `learner_activity_daily` (
	`learner_id` text NOT NULL,
	`course_id` text NOT NULL,
	`day` text NOT NULL,
	`active_seconds` integer DEFAULT 0 NOT NULL,
	`completions` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`correct` integer DEFAULT 0 NOT NULL,
	`plan_done` integer DEFAULT 0 NOT NULL,
	`plan_skipped` integer DEFAULT 0 NOT NULL,
	`answers_up` integer DEFAULT 0 NOT NULL,
	`answers_down` integer DEFAULT 0 NOT NULL,
	`recs_accepted` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`learner_id`, `course_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `learner_activity_daily_day` ON `learner_activity_daily` (`day`);