CREATE TABLE `generation_budgets` (
	`learner_id` text NOT NULL,
	`day` text NOT NULL,
	`used` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`learner_id`, `day`),
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `generation_log` (
	`id` text PRIMARY KEY NOT NULL,
	`learner_id` text NOT NULL,
	`lesson_slug` text NOT NULL,
	`model` text NOT NULL,
	`prompt_version` text NOT NULL,
	`outcome` text NOT NULL,
	`reason` text,
	`attempts` integer NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`estimated_cost_usd` real DEFAULT 0 NOT NULL,
	`duration_ms` integer NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `generation_log_learner_idx` ON `generation_log` (`learner_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `learners` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`onboarded_at` text,
	`preferences` text,
	`preferences_hash` text,
	`answers` text
);
--> statement-breakpoint
CREATE TABLE `preference_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`learner_id` text NOT NULL,
	`preferences` text NOT NULL,
	`source` text NOT NULL,
	`changed_at` text NOT NULL,
	FOREIGN KEY (`learner_id`) REFERENCES `learners`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `preference_history_learner_idx` ON `preference_history` (`learner_id`,`id`);