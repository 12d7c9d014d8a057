CREATE TABLE `item_concepts` (
	`item_kind` text NOT NULL,
	`item_id` text NOT NULL,
	`concept_id` text NOT NULL,
	`origin` text NOT NULL,
	`weight` real NOT NULL,
	PRIMARY KEY(`item_kind`, `item_id`, `concept_id`)
);
--> statement-breakpoint
CREATE INDEX `item_concepts_concept_idx` ON `item_concepts` (`concept_id`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`filename` text NOT NULL,
	`media_type` text NOT NULL,
	`source_type` text NOT NULL,
	`byte_size` integer NOT NULL,
	`content_hash` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`error` text,
	`pages` integer,
	`characters` integer,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sources_content_hash_idx` ON `sources` (`content_hash`);--> statement-breakpoint
CREATE TABLE `vector_deletions` (
	`chunk_id` text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
-- Every chunk deletion (new version, pruned lesson, deleted source) leaves its id for
-- the external vector index to delete; the local D1 index drops vectors by cascade.
CREATE TRIGGER `chunks_vector_deletion` AFTER DELETE ON `chunks` BEGIN
  INSERT OR IGNORE INTO `vector_deletions`(`chunk_id`) VALUES (old.`id`);
END;
--> statement-breakpoint
-- A chunk written again under a deleted id (content changed back) keeps its vector.
CREATE TRIGGER `chunks_vector_undeletion` AFTER INSERT ON `chunks` BEGIN
  DELETE FROM `vector_deletions` WHERE `chunk_id` = new.`id`;
END;
