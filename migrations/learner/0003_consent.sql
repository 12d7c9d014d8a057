ALTER TABLE `profile` ADD `consent_model` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `profile` ADD `consent_analytics` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `profile` ADD `consent_updated_at` text;