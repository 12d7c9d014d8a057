ALTER TABLE `recommendation_offers` ADD `option` text;--> statement-breakpoint
ALTER TABLE `recommendation_offers` ADD `reason` text;--> statement-breakpoint
ALTER TABLE `recommendation_offers` ADD `chosen` integer DEFAULT 0 NOT NULL;