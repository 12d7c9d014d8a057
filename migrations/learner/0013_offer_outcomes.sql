ALTER TABLE `recommendation_offers` ADD `pending_since` text;--> statement-breakpoint
ALTER TABLE `recommendation_offers` ADD `pending_chance` real;