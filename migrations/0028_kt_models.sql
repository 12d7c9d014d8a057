CREATE TABLE `kt_concepts` (
	`course_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`easiness` real NOT NULL,
	`success` real NOT NULL,
	`failure` real NOT NULL,
	PRIMARY KEY(`course_id`, `concept_id`)
);
--> statement-breakpoint
CREATE TABLE `kt_models` (
	`course_id` text PRIMARY KEY NOT NULL,
	`chosen` text NOT NULL,
	`intercept` real NOT NULL,
	`success` real NOT NULL,
	`failure` real NOT NULL,
	`total_success` real NOT NULL,
	`total_failure` real NOT NULL,
	`report` text NOT NULL,
	`attempts` integer NOT NULL,
	`learners` integer NOT NULL,
	`fitted_at` text NOT NULL
);
