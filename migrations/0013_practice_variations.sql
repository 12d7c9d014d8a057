CREATE TABLE `practice_variations` (
	`course_id` text NOT NULL,
	`id` text NOT NULL,
	`position` integer NOT NULL,
	`category` text NOT NULL,
	`variation_group` text NOT NULL,
	`title` text NOT NULL,
	`instructions` text NOT NULL,
	`minutes` integer NOT NULL,
	`difficulty` integer NOT NULL,
	`archetypes` text NOT NULL,
	`modes` text NOT NULL,
	`times` text NOT NULL,
	`completes` text NOT NULL,
	PRIMARY KEY(`course_id`, `id`)
);
