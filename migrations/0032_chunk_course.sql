ALTER TABLE `chunks` ADD `course_id` text;--> statement-breakpoint
-- Chunks indexed before courses were a search filter take their lesson's course.
UPDATE `chunks` SET `course_id` = (SELECT `course_id` FROM `lessons` WHERE `lessons`.`slug` = `chunks`.`item_id`) WHERE `item_kind` = 'lesson';
