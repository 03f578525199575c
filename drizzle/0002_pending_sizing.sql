ALTER TABLE "pending_orders" ADD COLUMN "sizing" jsonb;--> statement-breakpoint
ALTER TABLE "pending_orders" ADD COLUMN "error" text;