CREATE TABLE `ranker_choices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`course_id` text NOT NULL,
	`day` text NOT NULL,
	`chosen` integer NOT NULL,
	`options` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ranker_choices_course_day` ON `ranker_choices` (`course_id`,`day`);--> statement-breakpoint
CREATE TABLE `ranker_weights` (
	`course_id` text NOT NULL,
	`version` integer NOT NULL,
	`fitted_at` text NOT NULL,
	`weights` text NOT NULL,
	`fit` text NOT NULL,
	PRIMARY KEY(`course_id`, `version`)
);
