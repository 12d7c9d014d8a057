CREATE TABLE `practice_libraries` (
	`course_id` text PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `lessons_ingest_idx` ON `lessons` (`ingest_status`);