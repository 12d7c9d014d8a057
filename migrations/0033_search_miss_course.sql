CREATE TABLE `__new_search_misses` (
	`day` text NOT NULL,
	`course_id` text DEFAULT '' NOT NULL,
	`query` text NOT NULL,
	`searches` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `course_id`, `query`)
);
--> statement-breakpoint
-- Misses recorded before searches named a course were searches across the catalog.
INSERT INTO `__new_search_misses`("day", "course_id", "query", "searches") SELECT "day", '', "query", "searches" FROM `search_misses`;--> statement-breakpoint
DROP TABLE `search_misses`;--> statement-breakpoint
ALTER TABLE `__new_search_misses` RENAME TO `search_misses`;
