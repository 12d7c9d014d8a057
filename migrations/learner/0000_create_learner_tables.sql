CREATE TABLE `ability` (
	`id` integer PRIMARY KEY NOT NULL,
	`theta` real NOT NULL,
	`theta_se` real NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `attempts` (
	`event_id` text PRIMARY KEY NOT NULL,
	`course_id` text NOT NULL,
	`item_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`answer` integer NOT NULL,
	`correct` integer NOT NULL,
	`occurred_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `concept_mastery` (
	`course_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`p_known` real NOT NULL,
	`attempts` integer NOT NULL,
	`correct` integer NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`course_id`, `concept_id`)
);
--> statement-breakpoint
CREATE TABLE `daily_activity` (
	`day` text PRIMARY KEY NOT NULL,
	`active_seconds` integer DEFAULT 0 NOT NULL,
	`events` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `delivery` (
	`id` integer PRIMARY KEY NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	`deltas` integer DEFAULT 0 NOT NULL,
	`last_sent_at` text
);
--> statement-breakpoint
CREATE TABLE `events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`course_id` text,
	`occurred_at` text NOT NULL,
	`received_at` text NOT NULL,
	`payload` text NOT NULL,
	`fingerprint` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `generation_budgets` (
	`day` text PRIMARY KEY NOT NULL,
	`used` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `goal` (
	`id` integer PRIMARY KEY NOT NULL,
	`course_id` text,
	`type` text NOT NULL,
	`target_id` text NOT NULL,
	`target_date` text,
	`set_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `lesson_progress` (
	`course_id` text NOT NULL,
	`lesson_slug` text NOT NULL,
	`started_at` text,
	`completed_at` text,
	`active_seconds` integer DEFAULT 0 NOT NULL,
	`last_activity_at` text NOT NULL,
	PRIMARY KEY(`course_id`, `lesson_slug`)
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`delta` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pending_activity` (
	`course_id` text NOT NULL,
	`lesson_slug` text NOT NULL,
	`day` text NOT NULL,
	`seconds` integer NOT NULL,
	`heartbeats` integer NOT NULL,
	PRIMARY KEY(`course_id`, `lesson_slug`, `day`)
);
--> statement-breakpoint
CREATE TABLE `preference_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`preferences` text NOT NULL,
	`source` text NOT NULL,
	`changed_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `profile` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`onboarded_at` text,
	`preferences` text,
	`preferences_hash` text,
	`answers` text,
	`moved_at` text
);
--> statement-breakpoint
CREATE TABLE `recommendation_feedback` (
	`recommendation_id` text PRIMARY KEY NOT NULL,
	`course_id` text,
	`action` text NOT NULL,
	`rating` integer,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `review_cards` (
	`course_id` text NOT NULL,
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
	PRIMARY KEY(`course_id`, `item_id`)
);
