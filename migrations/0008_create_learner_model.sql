CREATE TABLE `bkt_params` (
	`concept_id` text PRIMARY KEY NOT NULL,
	`prior` real NOT NULL,
	`learn` real NOT NULL,
	`guess` real NOT NULL,
	`slip` real NOT NULL,
	`forget` real NOT NULL,
	`attempts` integer NOT NULL,
	`learners` integer NOT NULL,
	`fitted_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `concept_mastery` (
	`learner_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`p_known` real NOT NULL,
	`attempts` integer NOT NULL,
	`correct` integer NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`learner_id`, `concept_id`)
);
--> statement-breakpoint
CREATE TABLE `learner_model` (
	`learner_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`theta` real NOT NULL,
	`theta_se` real NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `quiz_attempts` (
	`event_id` text PRIMARY KEY NOT NULL,
	`learner_id` text NOT NULL,
	`item_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`answer` integer NOT NULL,
	`correct` integer NOT NULL,
	`occurred_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `quiz_attempts_learner_idx` ON `quiz_attempts` (`learner_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `quiz_attempts_concept_idx` ON `quiz_attempts` (`concept_id`,`learner_id`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `review_cards` (
	`learner_id` text NOT NULL,
	`item_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`due` text NOT NULL,
	`stability` real NOT NULL,
	`difficulty` real NOT NULL,
	`elapsed_days` integer NOT NULL,
	`scheduled_days` integer NOT NULL,
	`learning_steps` integer NOT NULL,
	`reps` integer NOT NULL,
	`lapses` integer NOT NULL,
	`state` integer NOT NULL,
	`last_review` text,
	PRIMARY KEY(`learner_id`, `item_id`)
);
--> statement-breakpoint
CREATE INDEX `review_cards_due_idx` ON `review_cards` (`learner_id`,`due`);--> statement-breakpoint
ALTER TABLE `quiz_items` ADD `difficulty` integer;