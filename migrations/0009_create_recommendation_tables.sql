CREATE TABLE `learner_goals` (
	`learner_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`target_id` text NOT NULL,
	`target_date` text,
	`set_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `lesson_pairs` (
	`lesson_slug` text NOT NULL,
	`next_slug` text NOT NULL,
	`base` integer NOT NULL,
	`learners` integer NOT NULL,
	`successes` integer NOT NULL,
	PRIMARY KEY(`lesson_slug`, `next_slug`)
);
--> statement-breakpoint
CREATE TABLE `recommendation_feedback` (
	`learner_id` text NOT NULL,
	`recommendation_id` text NOT NULL,
	`action` text NOT NULL,
	`rating` integer,
	`at` text NOT NULL,
	PRIMARY KEY(`learner_id`, `recommendation_id`)
);
--> statement-breakpoint
CREATE TABLE `recommendation_stats` (
	`recommendation_id` text PRIMARY KEY NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`dismissed` integer DEFAULT 0 NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL
);
