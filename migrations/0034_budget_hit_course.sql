CREATE TABLE `__new_budget_hits_daily` (
	`day` text NOT NULL,
	`course_id` text DEFAULT '' NOT NULL,
	`feature` text NOT NULL,
	`reason` text NOT NULL,
	`hits` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `course_id`, `feature`, `reason`)
);
--> statement-breakpoint
-- Hits counted before they named a course belong to none.
INSERT INTO `__new_budget_hits_daily`("day", "course_id", "feature", "reason", "hits") SELECT "day", '', "feature", "reason", "hits" FROM `budget_hits_daily`;--> statement-breakpoint
DROP TABLE `budget_hits_daily`;--> statement-breakpoint
ALTER TABLE `__new_budget_hits_daily` RENAME TO `budget_hits_daily`;
