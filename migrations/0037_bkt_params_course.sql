CREATE TABLE `__new_bkt_params` (
	`course_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`prior` real NOT NULL,
	`learn` real NOT NULL,
	`guess` real NOT NULL,
	`slip` real NOT NULL,
	`forget` real NOT NULL,
	`attempts` integer NOT NULL,
	`learners` integer NOT NULL,
	`fitted_at` text NOT NULL,
	PRIMARY KEY(`course_id`, `concept_id`)
);
--> statement-breakpoint
-- A fit made across courses stays, for each course with answers on the concept, until the next refit fits each course apart.
INSERT INTO `__new_bkt_params`("course_id", "concept_id", "prior", "learn", "guess", "slip", "forget", "attempts", "learners", "fitted_at")
SELECT a."course_id", b."concept_id", b."prior", b."learn", b."guess", b."slip", b."forget", b."attempts", b."learners", b."fitted_at"
FROM `bkt_params` b JOIN (SELECT DISTINCT "course_id", "concept_id" FROM `attempt_log`) a ON a."concept_id" = b."concept_id";--> statement-breakpoint
DROP TABLE `bkt_params`;--> statement-breakpoint
ALTER TABLE `__new_bkt_params` RENAME TO `bkt_params`;
