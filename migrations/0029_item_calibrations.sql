CREATE TABLE `item_calibrations` (
	`course_id` text NOT NULL,
	`item_id` text NOT NULL,
	`calibrated` integer NOT NULL,
	`a` real NOT NULL,
	`b` real NOT NULL,
	`prior_b` real NOT NULL,
	`answers` integer NOT NULL,
	`p_correct` real NOT NULL,
	`point_biserial` real,
	`flags` text NOT NULL,
	`fitted_at` text NOT NULL,
	PRIMARY KEY(`course_id`, `item_id`)
);
--> statement-breakpoint
CREATE INDEX `item_calibrations_item_idx` ON `item_calibrations` (`item_id`);