CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text DEFAULT '' NOT NULL,
	`key_hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_idx` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `blobs` (
	`hash` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`content_type` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `chapters` (
	`id` text PRIMARY KEY NOT NULL,
	`course_id` text NOT NULL,
	`part_id` text NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`position` integer NOT NULL,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`part_id`) REFERENCES `parts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chapters_part_idx` ON `chapters` (`part_id`,`position`);--> statement-breakpoint
CREATE TABLE `concepts` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `courses` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`manifest_hash` text DEFAULT '' NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `lesson_concepts` (
	`lesson_slug` text NOT NULL,
	`concept_id` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`lesson_slug`, `concept_id`),
	FOREIGN KEY (`lesson_slug`) REFERENCES `lessons`(`slug`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`concept_id`) REFERENCES `concepts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `lesson_concepts_concept_idx` ON `lesson_concepts` (`concept_id`);--> statement-breakpoint
CREATE TABLE `lesson_prerequisites` (
	`lesson_slug` text NOT NULL,
	`prerequisite_slug` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`lesson_slug`, `prerequisite_slug`),
	FOREIGN KEY (`lesson_slug`) REFERENCES `lessons`(`slug`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `lessons` (
	`slug` text PRIMARY KEY NOT NULL,
	`course_id` text NOT NULL,
	`chapter_id` text NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	`layer` text NOT NULL,
	`difficulty` integer NOT NULL,
	`minutes` integer NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`objectives` text DEFAULT '[]' NOT NULL,
	`source_path` text NOT NULL,
	`content_hash` text NOT NULL,
	`meta_hash` text NOT NULL,
	`ingest_status` text DEFAULT 'pending' NOT NULL,
	`ingest_error` text,
	`ingested_hash` text,
	`word_count` integer,
	`reading_minutes` integer,
	`outline` text,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`chapter_id`) REFERENCES `chapters`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `lessons_chapter_idx` ON `lessons` (`chapter_id`,`position`);--> statement-breakpoint
CREATE INDEX `lessons_course_idx` ON `lessons` (`course_id`);--> statement-breakpoint
CREATE TABLE `parts` (
	`id` text PRIMARY KEY NOT NULL,
	`course_id` text NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`position` integer NOT NULL,
	FOREIGN KEY (`course_id`) REFERENCES `courses`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `parts_course_idx` ON `parts` (`course_id`,`position`);--> statement-breakpoint
CREATE TABLE `quiz_items` (
	`id` text PRIMARY KEY NOT NULL,
	`lesson_slug` text NOT NULL,
	`position` integer NOT NULL,
	`question` text NOT NULL,
	`choices` text NOT NULL,
	`answer` integer NOT NULL,
	`explanation` text DEFAULT '' NOT NULL,
	`concept_id` text,
	FOREIGN KEY (`lesson_slug`) REFERENCES `lessons`(`slug`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `quiz_items_lesson_idx` ON `quiz_items` (`lesson_slug`,`position`);