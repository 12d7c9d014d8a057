CREATE TABLE `recommendation_offers` (
	`recommendation_id` text PRIMARY KEY NOT NULL,
	`course_id` text,
	`offered_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `recommendation_feedback` ADD `counted` text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE `recommendation_feedback` SET `counted` = `action` || ',';