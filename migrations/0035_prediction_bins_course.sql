CREATE TABLE `__new_prediction_bins` (
	`day` text NOT NULL,
	`model` text NOT NULL,
	`course_id` text DEFAULT '' NOT NULL,
	`segment` text NOT NULL,
	`bin` integer NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	`positives` integer DEFAULT 0 NOT NULL,
	`sum_predicted` real DEFAULT 0 NOT NULL,
	`sum_log_loss` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `model`, `course_id`, `segment`, `bin`)
);
--> statement-breakpoint
-- Predictions binned before they named a course belong to none.
INSERT INTO `__new_prediction_bins`("day", "model", "course_id", "segment", "bin", "n", "positives", "sum_predicted", "sum_log_loss") SELECT "day", "model", '', "segment", "bin", "n", "positives", "sum_predicted", "sum_log_loss" FROM `prediction_bins`;--> statement-breakpoint
DROP TABLE `prediction_bins`;--> statement-breakpoint
ALTER TABLE `__new_prediction_bins` RENAME TO `prediction_bins`;
