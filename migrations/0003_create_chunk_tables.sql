CREATE TABLE `chunk_vectors` (
	`chunk_id` text NOT NULL,
	`embedder` text NOT NULL,
	`dimensions` integer NOT NULL,
	`vector` blob NOT NULL,
	PRIMARY KEY(`chunk_id`, `embedder`),
	FOREIGN KEY (`chunk_id`) REFERENCES `chunks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chunk_vectors_embedder_idx` ON `chunk_vectors` (`embedder`);--> statement-breakpoint
CREATE TABLE `chunks` (
	`id` text PRIMARY KEY NOT NULL,
	`item_kind` text NOT NULL,
	`item_id` text NOT NULL,
	`content_hash` text NOT NULL,
	`position` integer NOT NULL,
	`heading_path` text NOT NULL,
	`anchor` text NOT NULL,
	`start_offset` integer NOT NULL,
	`end_offset` integer NOT NULL,
	`page` integer,
	`text` text NOT NULL,
	`part_slug` text,
	`chapter_slug` text,
	`layer` text,
	`source_type` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `chunks_item_idx` ON `chunks` (`item_kind`,`item_id`);--> statement-breakpoint
CREATE TABLE `vector_indexes` (
	`embedder` text PRIMARY KEY NOT NULL,
	`dimensions` integer NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
