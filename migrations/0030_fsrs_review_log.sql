CREATE TABLE `fsrs_params` (
	`course_id` text NOT NULL,
	`learner_id` text NOT NULL,
	`weights` text NOT NULL,
	`reviews` integer NOT NULL,
	`report` text NOT NULL,
	`fitted_at` text NOT NULL,
	PRIMARY KEY(`course_id`, `learner_id`)
);
--> statement-breakpoint
CREATE INDEX `fsrs_params_learner_idx` ON `fsrs_params` (`learner_id`);--> statement-breakpoint
CREATE TABLE `review_log` (
	`learner_id` text NOT NULL,
	`event_id` text NOT NULL,
	`course_id` text NOT NULL,
	`item_id` text NOT NULL,
	`grade` integer NOT NULL,
	`reviewed_at` text NOT NULL,
	PRIMARY KEY(`learner_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `review_log_course_idx` ON `review_log` (`course_id`,`reviewed_at`);