CREATE TABLE `conversation_messages` (
	`conversation_id` text NOT NULL,
	`position` integer NOT NULL,
	`role` text NOT NULL,
	`text` text NOT NULL,
	`query` text,
	`citations` text NOT NULL,
	`engine` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`conversation_id`, `position`),
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`course_id` text,
	`title` text NOT NULL,
	`scope` text NOT NULL,
	`lesson_slug` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
