CREATE TABLE `tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`key_digest` text NOT NULL,
	`created_ms` integer NOT NULL,
	`last_used_ms` integer,
	`client` text,
	`user_agent` text,
	`ip` text,
	`city` text,
	`country` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tokens_key_digest_unique` ON `tokens` (`key_digest`);--> statement-breakpoint
CREATE INDEX `tokens_user_id_idx` ON `tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`username_canonical` text NOT NULL,
	`email` text,
	`email_canonical` text,
	`first_name` text DEFAULT '' NOT NULL,
	`last_name` text DEFAULT '' NOT NULL,
	`password_hash` text NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`is_staff` integer DEFAULT false NOT NULL,
	`is_superuser` integer DEFAULT false NOT NULL,
	`date_joined_ms` integer NOT NULL,
	`last_login_ms` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_canonical_unique` ON `users` (`username_canonical`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_canonical_unique` ON `users` (`email_canonical`);