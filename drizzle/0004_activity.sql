CREATE TABLE `activity_events` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`created_ms` integer NOT NULL,
	`client` text,
	`user_agent` text,
	`ip` text,
	`city` text,
	`country` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `activity_events_user_created_idx` ON `activity_events` (`user_id`,`created_ms`,`id`);--> statement-breakpoint
CREATE INDEX `activity_events_created_ms_idx` ON `activity_events` (`created_ms`);