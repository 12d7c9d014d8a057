CREATE TABLE `summary_schedule` (
	`learner_id` text PRIMARY KEY NOT NULL,
	`next_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `summary_schedule_next_idx` ON `summary_schedule` (`next_at`);